fn loop_break_value(limit: u32) -> impl ::core::future::Future<Output = u32> {
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __Frame<T0, T1, F0> {
        Start { limit_0: T0 },
        S0 { __fut: ::asyncio::coroutine::AwaitSlot<F0>, i_1: T1, limit_0: T0 },
        Running,
        Done,
    }
    #[allow(non_camel_case_types)]
    impl<T0, T1, F0> __Frame<T0, T1, F0> {
        #[allow(clippy::too_many_arguments, clippy::type_complexity)]
        #[inline]
        fn __resume<O0>(
            __frame: &mut Self,
            __jump: usize,
            __b0: &mut ::core::option::Option<(T0,)>,
            __s0: &mut ::core::option::Option<(F0, (T1, T0))>,
            __b2: &mut ::core::option::Option<((T1, T0), O0)>,
            __poll0: fn(
                ::core::pin::Pin<&mut F0>,
                &mut ::core::task::Context<'_>,
            ) -> ::core::task::Poll<O0>,
            __cx: &mut ::core::task::Context<'_>,
        ) -> ::core::task::Poll<usize> {
            match __jump {
                5usize => {
                    let (__fut, (i_1, limit_0)) = match __s0.take() {
                        ::core::option::Option::Some(values) => values,
                        ::core::option::Option::None => ::core::unreachable!(),
                    };
                    *__frame = Self::S0 {
                        __fut: ::asyncio::coroutine::AwaitSlot::new(__fut),
                        i_1,
                        limit_0,
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
                    Self::S0 { i_1, limit_0, .. } => {
                        let __out = match __o0 {
                            ::core::option::Option::Some(out) => out,
                            ::core::option::Option::None => ::core::unreachable!(),
                        };
                        *__b2 = ::core::option::Option::Some(((i_1, limit_0), __out));
                        2usize
                    }
                    Self::Start { limit_0, .. } => {
                        *__b0 = ::core::option::Option::Some((limit_0,));
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
        __entry(&limit),
        |
            __frame: &mut _,
            __cx: &mut ::core::task::Context<'_>,
            __entry_values,
        | -> ::core::task::Poll<u32> {
            let mut __b0 = __entry_values;
            let mut __b1 = ::core::option::Option::None;
            let mut __b2 = ::core::option::Option::None;
            let mut __b4 = ::core::option::Option::None;
            let mut __s0 = ::core::option::Option::None;
            let mut __jump: usize = usize::MAX;
            let __ret = '__resume: loop {
                '__dispatch: loop {
                    match __jump {
                        0usize => {
                            let (limit_0,) = match __b0.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let limit = limit_0;
                                {
                                    let mut i = 0;
                                    {
                                        __b1 = ::core::option::Option::Some((limit, i));
                                        __jump = 1usize;
                                        continue '__dispatch;
                                    }
                                }
                            }
                        }
                        1usize => {
                            let (limit_0, i_1) = match __b1.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let limit = limit_0;
                                {
                                    let mut i = i_1;
                                    {
                                        i += 1;
                                        {
                                            __s0 = ::core::option::Option::Some((
                                                match check(i) {
                                                    __awaited => {
                                                        ::asyncio::coroutine::IntoFuture::into_future(__awaited)
                                                    }
                                                },
                                                (i, limit),
                                            ));
                                            if false {
                                                ::asyncio::coroutine::resume_hint(
                                                    &__s0,
                                                    &__b2,
                                                    ::core::future::Future::poll,
                                                );
                                            }
                                            __jump = 5usize;
                                            break '__dispatch;
                                        }
                                    }
                                }
                            }
                        }
                        2usize => {
                            let ((i_1, limit_0), t2_3) = match __b2.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let limit = limit_0;
                                {
                                    let mut i = i_1;
                                    #[allow(unused_mut)]
                                    let __t1;
                                    if ::core::convert::identity(t2_3) >= limit {
                                        {
                                            __t1 = i * 10;
                                            {
                                                __b4 = ::core::option::Option::Some((__t1,));
                                                __jump = 4usize;
                                                continue '__dispatch;
                                            }
                                        };
                                    } else {
                                        __b1 = ::core::option::Option::Some((limit, i));
                                        __jump = 1usize;
                                        continue '__dispatch;
                                    }
                                }
                            }
                        }
                        4usize => {
                            let (t1_2,) = match __b4.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let __t1 = t1_2;
                                let found = __t1;
                                {
                                    #[allow(clippy::let_unit_value)]
                                    let __ret: u32 = found + 1;
                                    break '__resume __ret;
                                };
                            }
                        }
                        _ => break '__dispatch,
                    }
                }
                __jump = ::core::task::ready!(
                    __Frame::__resume(__frame, __jump, & mut __b0, & mut __s0, & mut
                    __b2, ::core::future::Future::poll, __cx)
                );
            };
            *__frame = __Frame::Done;
            ::core::task::Poll::Ready(__ret)
        },
    );
    ::asyncio::coroutine::Machine::new(__Frame::Start { limit_0: limit }, __step)
}
