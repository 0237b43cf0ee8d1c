fn straight_line(a: u32, name: String) -> impl ::core::future::Future<Output = String> {
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __Frame<T0, T1, T3, F0, F1> {
        Start { a_0: T0, name_1: T1 },
        S0 { __fut: ::asyncio::coroutine::AwaitSlot<F0>, name_1: T1 },
        S1 { __fut: ::asyncio::coroutine::AwaitSlot<F1>, x_3: T3, name_1: T1 },
        Running,
        Done,
    }
    #[allow(non_camel_case_types)]
    impl<T0, T1, T3, F0, F1> __Frame<T0, T1, T3, F0, F1> {
        #[allow(clippy::too_many_arguments, clippy::type_complexity)]
        #[inline]
        fn __resume<O0, O1>(
            __frame: &mut Self,
            __jump: usize,
            __b0: &mut ::core::option::Option<(T0, T1)>,
            __s0: &mut ::core::option::Option<(F0, (T1,))>,
            __b1: &mut ::core::option::Option<((T1,), O0)>,
            __poll0: fn(
                ::core::pin::Pin<&mut F0>,
                &mut ::core::task::Context<'_>,
            ) -> ::core::task::Poll<O0>,
            __s1: &mut ::core::option::Option<(F1, (T3, T1))>,
            __b2: &mut ::core::option::Option<((T3, T1), O1)>,
            __poll1: fn(
                ::core::pin::Pin<&mut F1>,
                &mut ::core::task::Context<'_>,
            ) -> ::core::task::Poll<O1>,
            __cx: &mut ::core::task::Context<'_>,
        ) -> ::core::task::Poll<usize> {
            match __jump {
                3usize => {
                    let (__fut, (name_1,)) = match __s0.take() {
                        ::core::option::Option::Some(values) => values,
                        ::core::option::Option::None => ::core::unreachable!(),
                    };
                    *__frame = Self::S0 {
                        __fut: ::asyncio::coroutine::AwaitSlot::new(__fut),
                        name_1,
                    };
                }
                4usize => {
                    let (__fut, (x_3, name_1)) = match __s1.take() {
                        ::core::option::Option::Some(values) => values,
                        ::core::option::Option::None => ::core::unreachable!(),
                    };
                    *__frame = Self::S1 {
                        __fut: ::asyncio::coroutine::AwaitSlot::new(__fut),
                        x_3,
                        name_1,
                    };
                }
                _ => {}
            }
            let mut __o0: ::core::option::Option<O0> = ::core::option::Option::None;
            let mut __o1: ::core::option::Option<O1> = ::core::option::Option::None;
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
                Self::S1 { __fut, .. } => {
                    let __polled = __poll1(
                        unsafe { ::asyncio::coroutine::AwaitSlot::pinned(__fut) },
                        __cx,
                    );
                    if __polled.is_ready() {
                        ::asyncio::coroutine::AwaitSlot::clear(__fut);
                    }
                    __o1 = ::core::option::Option::Some(::core::task::ready!(__polled));
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
                    Self::S0 { name_1, .. } => {
                        let __out = match __o0 {
                            ::core::option::Option::Some(out) => out,
                            ::core::option::Option::None => ::core::unreachable!(),
                        };
                        *__b1 = ::core::option::Option::Some(((name_1,), __out));
                        1usize
                    }
                    Self::S1 { x_3, name_1, .. } => {
                        let __out = match __o1 {
                            ::core::option::Option::Some(out) => out,
                            ::core::option::Option::None => ::core::unreachable!(),
                        };
                        *__b2 = ::core::option::Option::Some(((x_3, name_1), __out));
                        2usize
                    }
                    Self::Start { a_0, name_1, .. } => {
                        *__b0 = ::core::option::Option::Some((a_0, name_1));
                        0
                    }
                    _ => ::core::unreachable!(),
                },
            )
        }
    }
    #[allow(non_camel_case_types, clippy::type_complexity)]
    #[inline(always)]
    fn __entry<P0, P1>(_: &P0, _: &P1) -> ::core::marker::PhantomData<fn() -> (P0, P1)> {
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
    let __step = ::asyncio::coroutine::step(
        __entry(&a, &name),
        |
            __frame: &mut _,
            __cx: &mut ::core::task::Context<'_>,
            __entry_values,
        | -> ::core::task::Poll<String> {
            let mut __b0 = __entry_values;
            let mut __b1 = ::core::option::Option::None;
            let mut __b2 = ::core::option::Option::None;
            let mut __s0 = ::core::option::Option::None;
            let mut __s1 = ::core::option::Option::None;
            let mut __jump: usize = usize::MAX;
            let __ret = '__resume: loop {
                '__dispatch: loop {
                    match __jump {
                        0usize => {
                            let (a_0, name_1) = match __b0.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let a = a_0;
                                let name = name_1;
                                {
                                    {
                                        __s0 = ::core::option::Option::Some((
                                            match first(a) {
                                                __awaited => {
                                                    ::asyncio::coroutine::IntoFuture::into_future(__awaited)
                                                }
                                            },
                                            (name,),
                                        ));
                                        if false {
                                            ::asyncio::coroutine::resume_hint(
                                                &__s0,
                                                &__b1,
                                                ::core::future::Future::poll,
                                            );
                                        }
                                        __jump = 3usize;
                                        break '__dispatch;
                                    }
                                }
                            }
                        }
                        1usize => {
                            let ((name_1,), t1_2) = match __b1.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let name = name_1;
                                let x = ::core::convert::identity(t1_2);
                                {
                                    __s1 = ::core::option::Option::Some((
                                        match second(x) {
                                            __awaited => {
                                                ::asyncio::coroutine::IntoFuture::into_future(__awaited)
                                            }
                                        },
                                        (x, name),
                                    ));
                                    if false {
                                        ::asyncio::coroutine::resume_hint(
                                            &__s1,
                                            &__b2,
                                            ::core::future::Future::poll,
                                        );
                                    }
                                    __jump = 4usize;
                                    break '__dispatch;
                                }
                            }
                        }
                        2usize => {
                            let ((x_3, name_1), t2_4) = match __b2.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let name = name_1;
                                {
                                    let x = x_3;
                                    let y = ::core::convert::identity(t2_4);
                                    {
                                        #[allow(clippy::let_unit_value)]
                                        let __ret: String = format!("{name}: {}", x + y);
                                        break '__resume __ret;
                                    };
                                }
                            }
                        }
                        _ => break '__dispatch,
                    }
                }
                __jump = ::core::task::ready!(
                    __Frame::__resume(__frame, __jump, & mut __b0, & mut __s0, & mut
                    __b1, ::core::future::Future::poll, & mut __s1, & mut __b2,
                    ::core::future::Future::poll, __cx)
                );
            };
            *__frame = __Frame::Done;
            ::core::task::Poll::Ready(__ret)
        },
    );
    ::asyncio::coroutine::Machine::new(
        __Frame::Start {
            a_0: a,
            name_1: name,
        },
        __step,
    )
}
