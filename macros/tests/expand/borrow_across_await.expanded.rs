fn borrow_across_await(
    names: Vec<String>,
) -> impl ::core::future::Future<Output = usize> {
    if false {
        #[allow(warnings, clippy::all, clippy::pedantic)]
        let _ = move || -> usize {
            let text = names.join(" ");
            let mut total = 0;
            for word in text.split_whitespace() {
                ::asyncio::coroutine::shadow_await(leaf(word.len()));
                total += word.len();
            }
            total + text.len()
        };
        loop {}
    }
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __Frame<T0, T1, T2, T3, T4, F0> {
        Start { names_0: T0 },
        S0 {
            __fut: ::asyncio::coroutine::AwaitSlot<F0>,
            word_4: T4,
            iter_3: T3,
            total_2: T2,
            pin_end__r_text_1_1: T1,
        },
        Running,
        Done,
    }
    #[allow(non_camel_case_types)]
    impl<T0, T1, T2, T3, T4, F0> __Frame<T0, T1, T2, T3, T4, F0> {
        #[allow(clippy::too_many_arguments, clippy::type_complexity)]
        #[inline]
        fn __resume<O0>(
            __frame: &mut Self,
            __jump: usize,
            __b0: &mut ::core::option::Option<(T0,)>,
            __s0: &mut ::core::option::Option<(F0, (T4, T3, T2, T1))>,
            __b5: &mut ::core::option::Option<((T4, T3, T2, T1), O0)>,
            __poll0: fn(
                ::core::pin::Pin<&mut F0>,
                &mut ::core::task::Context<'_>,
            ) -> ::core::task::Poll<O0>,
            __cx: &mut ::core::task::Context<'_>,
        ) -> ::core::task::Poll<usize> {
            match __jump {
                6usize => {
                    let (__fut, (word_4, iter_3, total_2, pin_end__r_text_1_1)) = match __s0
                        .take()
                    {
                        ::core::option::Option::Some(values) => values,
                        ::core::option::Option::None => ::core::unreachable!(),
                    };
                    *__frame = Self::S0 {
                        __fut: ::asyncio::coroutine::AwaitSlot::new(__fut),
                        word_4,
                        iter_3,
                        total_2,
                        pin_end__r_text_1_1,
                    };
                }
                _ => {}
            }
            let mut __o0: ::core::option::Option<O0> = ::core::option::Option::None;
            match __frame {
                Self::S0 { __fut, .. } => {
                    let __polled = __poll0(
                        unsafe { ::asyncio::coroutine::AwaitSlot::pinned(__fut) },
                        __cx,
                    );
                    if __polled.is_ready() {
                        ::asyncio::coroutine::AwaitSlot::clear(__fut);
                    }
                    __o0 = ::core::option::Option::Some(::core::task::ready!(__polled));
                }
                Self::Start { .. } => {}
                Self::Running => {
                    ::core::panic!(
                        "a `#[coroutine]` future was polled after it panicked"
                    )
                }
                Self::Done => {
                    ::core::panic!(
                        "a `#[coroutine]` future was polled after it completed"
                    )
                }
            }
            ::core::task::Poll::Ready(
                match ::core::mem::replace(__frame, Self::Running) {
                    Self::S0 { word_4, iter_3, total_2, pin_end__r_text_1_1, .. } => {
                        let __out = match __o0 {
                            ::core::option::Option::Some(out) => out,
                            ::core::option::Option::None => ::core::unreachable!(),
                        };
                        *__b5 = ::core::option::Option::Some((
                            (word_4, iter_3, total_2, pin_end__r_text_1_1),
                            __out,
                        ));
                        5usize
                    }
                    Self::Start { names_0, .. } => {
                        *__b0 = ::core::option::Option::Some((names_0,));
                        0
                    }
                    _ => ::core::unreachable!(),
                },
            )
        }
    }
    #[allow(non_camel_case_types, clippy::type_complexity)]
    #[inline(always)]
    fn __entry<P0>(_: &P0) -> ::core::marker::PhantomData<fn() -> (P0,)> {
        ::core::marker::PhantomData
    }
    let __slots = (unsafe { ::asyncio::coroutine::Pinned::new() },);
    #[inline(always)]
    fn __type_of<T>(_: &T) -> ::core::marker::PhantomData<fn() -> T> {
        ::core::marker::PhantomData
    }
    #[allow(
        unreachable_code,
        unused_mut,
        unused_braces,
        unused_unsafe,
        unknown_lints,
        dangerous_implicit_autorefs,
        clippy::let_unit_value,
        clippy::type_complexity,
        clippy::diverging_sub_expression,
        clippy::match_single_binding
    )]
    let __step = ::asyncio::coroutine::pinned_step(
        __entry(&names),
        __type_of(&__slots),
        |
            __frame: &mut _,
            __locals: *mut (::asyncio::coroutine::Pinned<_>,),
            __cx: &mut ::core::task::Context<'_>,
            __entry_values,
        | -> ::core::task::Poll<usize> {
            let __r_text_1 = unsafe { &raw mut (*__locals).0 };
            let mut __b0 = __entry_values;
            let mut __b1 = ::core::option::Option::None;
            let mut __b3 = ::core::option::Option::None;
            let mut __b5 = ::core::option::Option::None;
            let mut __s0 = ::core::option::Option::None;
            let mut __jump: usize = usize::MAX;
            let __ret = '__resume: loop {
                '__dispatch: loop {
                    match __jump {
                        0usize => {
                            let (names_0,) = match __b0.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let names = names_0;
                                {
                                    ::asyncio::coroutine::PinnedSlot::init(
                                        unsafe { ::asyncio::coroutine::place(__r_text_1) },
                                        names.join(" "),
                                    );
                                    let __pin_end__r_text_1 = unsafe {
                                        ::asyncio::coroutine::PinnedEnd::new(__r_text_1)
                                    };
                                    let mut total = 0;
                                    {
                                        let mut __iter = ::core::iter::IntoIterator::into_iter(
                                            (**unsafe { ::asyncio::coroutine::place(__r_text_1) })
                                                .split_whitespace(),
                                        );
                                        {
                                            __b1 = ::core::option::Option::Some((
                                                __pin_end__r_text_1,
                                                total,
                                                __iter,
                                            ));
                                            __jump = 1usize;
                                            continue '__dispatch;
                                        }
                                    }
                                }
                            }
                        }
                        1usize => {
                            let (pin_end__r_text_1_1, total_2, iter_3) = match __b1
                                .take()
                            {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let __pin_end__r_text_1 = pin_end__r_text_1_1;
                                let mut total = total_2;
                                {
                                    let mut __iter = iter_3;
                                    {
                                        if let ::core::option::Option::Some(word) = ::core::iter::Iterator::next(
                                            &mut __iter,
                                        ) {
                                            {
                                                __s0 = ::core::option::Option::Some((
                                                    match leaf(word.len()) {
                                                        __awaited => {
                                                            ::asyncio::coroutine::IntoFuture::into_future(__awaited)
                                                        }
                                                    },
                                                    (word, __iter, total, __pin_end__r_text_1),
                                                ));
                                                if false {
                                                    ::asyncio::coroutine::resume_hint(
                                                        &__s0,
                                                        &__b5,
                                                        ::core::future::Future::poll,
                                                    );
                                                }
                                                __jump = 6usize;
                                                break '__dispatch;
                                            }
                                        } else {
                                            {
                                                __b3 = ::core::option::Option::Some((
                                                    __pin_end__r_text_1,
                                                    total,
                                                ));
                                                __jump = 3usize;
                                                continue '__dispatch;
                                            };
                                        }
                                    }
                                }
                            }
                        }
                        3usize => {
                            let (pin_end__r_text_1_1, total_2) = match __b3.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let __pin_end__r_text_1 = pin_end__r_text_1_1;
                                let mut total = total_2;
                                {}
                                {
                                    #[allow(clippy::let_unit_value)]
                                    let __ret: usize = total
                                        + (**unsafe { ::asyncio::coroutine::place(__r_text_1) })
                                            .len();
                                    break '__resume __ret;
                                };
                            }
                        }
                        5usize => {
                            let ((word_4, iter_3, total_2, pin_end__r_text_1_1), t1_5) = match __b5
                                .take()
                            {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let __pin_end__r_text_1 = pin_end__r_text_1_1;
                                let mut total = total_2;
                                {
                                    let mut __iter = iter_3;
                                    {
                                        let word = word_4;
                                        ::core::mem::drop(::core::convert::identity(t1_5));
                                        total += word.len();
                                    }
                                    {
                                        __b1 = ::core::option::Option::Some((
                                            __pin_end__r_text_1,
                                            total,
                                            __iter,
                                        ));
                                        __jump = 1usize;
                                        continue '__dispatch;
                                    }
                                }
                            }
                        }
                        _ => break '__dispatch,
                    }
                }
                __jump = ::core::task::ready!(
                    __Frame::__resume(__frame, __jump, & mut __b0, & mut __s0, & mut
                    __b5, ::core::future::Future::poll, __cx)
                );
            };
            *__frame = __Frame::Done;
            ::core::task::Poll::Ready(__ret)
        },
    );
    ::asyncio::coroutine::PinMachine::new(
        __Frame::Start { names_0: names },
        __slots,
        __step,
    )
}
