#[allow(refining_impl_trait)]
fn bump<'__life0>(
    &'__life0 mut self,
    by: u32,
) -> impl ::core::future::Future<
    Output = u32,
> + ::asyncio::coroutine::Captures<(&'__life0 (),)> {
    if false {
        #[allow(warnings, clippy::all, clippy::pedantic)]
        let _ = move || -> u32 {
            let _guard = self.lock();
            self.n += ::asyncio::coroutine::shadow_await(fetch(by));
            self.n
        };
        loop {}
    }
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __Frame<T0, T1, T2, F0> {
        Start { by_0: T0 },
        S0 {
            __fut: ::asyncio::coroutine::AwaitSlot<F0>,
            guard_2: T2,
            pin_end__self_1: T1,
        },
        Running,
        Done,
    }
    #[allow(non_camel_case_types, clippy::type_complexity)]
    #[inline(always)]
    fn __entry<T0, T1, T2, F0>(
        _: &__Frame<T0, T1, T2, F0>,
    ) -> ::core::option::Option<(T0,)> {
        ::core::option::Option::None
    }
    #[allow(non_camel_case_types, clippy::type_complexity, clippy::too_many_arguments)]
    #[inline(always)]
    fn __types<T0, T1, T2, F0>(
        _: &__Frame<T0, T1, T2, F0>,
        _: &::core::option::Option<(F0, (T2, T1))>,
    ) {}
    ::asyncio::coroutine::PinMachine::new(
        __Frame::Start { by_0: by },
        (::asyncio::coroutine::PinnedOrMoved::with(self),),
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
        |
            __frame: &mut __Frame<_, _, _, _>,
            __locals: *mut (::asyncio::coroutine::PinnedOrMoved<_>,),
            __cx: &mut ::core::task::Context<'_>,
        | -> ::core::task::Poll<u32> {
            let __self = unsafe { &raw mut (*__locals).0 };
            let mut __b0 = __entry(__frame);
            let mut __b1 = ::core::option::Option::None;
            let mut __s0 = ::core::option::Option::None;
            let mut __jump: usize = usize::MAX;
            let __ret = '__resume: loop {
                '__dispatch: loop {
                    match __jump {
                        0usize => {
                            let (by_0,) = match __b0.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let by = by_0;
                                {
                                    let __pin_end__self = unsafe {
                                        ::asyncio::coroutine::PinnedEnd::new(__self)
                                    };
                                    let _guard = (**unsafe {
                                        ::asyncio::coroutine::place(__self)
                                    })
                                        .lock();
                                    {
                                        __s0 = ::core::option::Option::Some((
                                            match fetch(by) {
                                                __awaited => {
                                                    ::asyncio::coroutine::IntoFuture::into_future(__awaited)
                                                }
                                            },
                                            (_guard, __pin_end__self),
                                        ));
                                        ::asyncio::coroutine::resume_hint(
                                            &__s0,
                                            &__b1,
                                            ::core::future::Future::poll,
                                        );
                                        __jump = 2usize;
                                        break '__dispatch;
                                    }
                                }
                            }
                        }
                        1usize => {
                            let ((guard_2, pin_end__self_1), t1_3) = match __b1.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let __pin_end__self = pin_end__self_1;
                                let _guard = guard_2;
                                (**unsafe {
                                    ::asyncio::coroutine::in_place(
                                        &raw mut (*::asyncio::coroutine::PinnedSlot::value(__self))
                                            .n,
                                    )
                                }) += ::core::convert::identity(t1_3);
                                {
                                    #[allow(clippy::let_unit_value)]
                                    let __ret: u32 = {
                                        let __taken = unsafe {
                                            ::asyncio::coroutine::PinnedOrMoved::take(
                                                ::asyncio::coroutine::place(__self),
                                            )
                                        };
                                        __taken
                                    }
                                        .n;
                                    break '__resume __ret;
                                };
                            }
                        }
                        _ => break '__dispatch,
                    }
                }
                __types(__frame, &__s0);
                match __jump {
                    2usize => {
                        let (__fut, (guard_2, pin_end__self_1)) = match __s0.take() {
                            ::core::option::Option::Some(values) => values,
                            ::core::option::Option::None => ::core::unreachable!(),
                        };
                        *__frame = __Frame::S0 {
                            __fut: ::asyncio::coroutine::AwaitSlot::new(__fut),
                            guard_2,
                            pin_end__self_1,
                        };
                    }
                    _ => {}
                }
                __jump = match __frame {
                    __Frame::S0 { __fut, .. } => {
                        let __out = ::core::task::ready!(
                            { let __polled = ::core::future::Future::poll(unsafe {
                            ::asyncio::coroutine::AwaitSlot::pinned(__fut) }, __cx,); if
                            __polled.is_ready() {
                            ::asyncio::coroutine::AwaitSlot::clear(__fut); } __polled }
                        );
                        match ::core::mem::replace(__frame, __Frame::Running) {
                            __Frame::S0 { guard_2, pin_end__self_1, .. } => {
                                __b1 = ::core::option::Option::Some((
                                    (guard_2, pin_end__self_1),
                                    __out,
                                ));
                                1usize
                            }
                            _ => ::core::unreachable!(),
                        }
                    }
                    __Frame::Start { .. } => {
                        match ::core::mem::replace(__frame, __Frame::Running) {
                            __Frame::Start { by_0, .. } => {
                                __b0 = ::core::option::Option::Some((by_0,));
                                0
                            }
                            _ => ::core::unreachable!(),
                        }
                    }
                    __Frame::Running => {
                        ::core::panic!(
                            "a `#[coroutine]` future was polled after it panicked"
                        )
                    }
                    __Frame::Done => {
                        ::core::panic!(
                            "a `#[coroutine]` future was polled after it completed"
                        )
                    }
                };
            };
            *__frame = __Frame::Done;
            ::core::task::Poll::Ready(__ret)
        },
    )
}
