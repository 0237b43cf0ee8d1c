fn match_arms(n: u32) -> impl ::core::future::Future<Output = String> {
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __Frame<T0, F0, F1, F2> {
        Start { n_0: T0 },
        S0 { __fut: ::asyncio::coroutine::AwaitSlot<F0> },
        S1 { __fut: ::asyncio::coroutine::AwaitSlot<F1> },
        S2 { __fut: ::asyncio::coroutine::AwaitSlot<F2> },
        Running,
        Done,
    }
    #[allow(non_camel_case_types)]
    impl<T0, F0, F1, F2> __Frame<T0, F0, F1, F2> {
        #[allow(clippy::too_many_arguments, clippy::type_complexity)]
        #[inline]
        fn __resume<O0, O1, O2>(
            __frame: &mut Self,
            __jump: usize,
            __b0: &mut ::core::option::Option<(T0,)>,
            __s0: &mut ::core::option::Option<(F0, ())>,
            __b1: &mut ::core::option::Option<((), O0)>,
            __poll0: fn(
                ::core::pin::Pin<&mut F0>,
                &mut ::core::task::Context<'_>,
            ) -> ::core::task::Poll<O0>,
            __s1: &mut ::core::option::Option<(F1, ())>,
            __b3: &mut ::core::option::Option<((), O1)>,
            __poll1: fn(
                ::core::pin::Pin<&mut F1>,
                &mut ::core::task::Context<'_>,
            ) -> ::core::task::Poll<O1>,
            __s2: &mut ::core::option::Option<(F2, ())>,
            __b5: &mut ::core::option::Option<((), O2)>,
            __poll2: fn(
                ::core::pin::Pin<&mut F2>,
                &mut ::core::task::Context<'_>,
            ) -> ::core::task::Poll<O2>,
            __cx: &mut ::core::task::Context<'_>,
        ) -> ::core::task::Poll<usize> {
            match __jump {
                8usize => {
                    let (__fut, ()) = match __s0.take() {
                        ::core::option::Option::Some(values) => values,
                        ::core::option::Option::None => ::core::unreachable!(),
                    };
                    *__frame = Self::S0 {
                        __fut: ::asyncio::coroutine::AwaitSlot::new(__fut),
                    };
                }
                9usize => {
                    let (__fut, ()) = match __s1.take() {
                        ::core::option::Option::Some(values) => values,
                        ::core::option::Option::None => ::core::unreachable!(),
                    };
                    *__frame = Self::S1 {
                        __fut: ::asyncio::coroutine::AwaitSlot::new(__fut),
                    };
                }
                10usize => {
                    let (__fut, ()) = match __s2.take() {
                        ::core::option::Option::Some(values) => values,
                        ::core::option::Option::None => ::core::unreachable!(),
                    };
                    *__frame = Self::S2 {
                        __fut: ::asyncio::coroutine::AwaitSlot::new(__fut),
                    };
                }
                _ => {}
            }
            let mut __o0: ::core::option::Option<O0> = ::core::option::Option::None;
            let mut __o1: ::core::option::Option<O1> = ::core::option::Option::None;
            let mut __o2: ::core::option::Option<O2> = ::core::option::Option::None;
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
                Self::S2 { __fut, .. } => {
                    let __polled = __poll2(
                        unsafe { ::asyncio::coroutine::AwaitSlot::pinned(__fut) },
                        __cx,
                    );
                    if __polled.is_ready() {
                        ::asyncio::coroutine::AwaitSlot::clear(__fut);
                    }
                    __o2 = ::core::option::Option::Some(::core::task::ready!(__polled));
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
                    Self::S0 { .. } => {
                        let __out = match __o0 {
                            ::core::option::Option::Some(out) => out,
                            ::core::option::Option::None => ::core::unreachable!(),
                        };
                        *__b1 = ::core::option::Option::Some(((), __out));
                        1usize
                    }
                    Self::S1 { .. } => {
                        let __out = match __o1 {
                            ::core::option::Option::Some(out) => out,
                            ::core::option::Option::None => ::core::unreachable!(),
                        };
                        *__b3 = ::core::option::Option::Some(((), __out));
                        3usize
                    }
                    Self::S2 { .. } => {
                        let __out = match __o2 {
                            ::core::option::Option::Some(out) => out,
                            ::core::option::Option::None => ::core::unreachable!(),
                        };
                        *__b5 = ::core::option::Option::Some(((), __out));
                        5usize
                    }
                    Self::Start { n_0, .. } => {
                        *__b0 = ::core::option::Option::Some((n_0,));
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
        __entry(&n),
        |
            __frame: &mut _,
            __cx: &mut ::core::task::Context<'_>,
            __entry_values,
        | -> ::core::task::Poll<String> {
            let mut __b0 = __entry_values;
            let mut __b1 = ::core::option::Option::None;
            let mut __b3 = ::core::option::Option::None;
            let mut __b5 = ::core::option::Option::None;
            let mut __b7 = ::core::option::Option::None;
            let mut __s0 = ::core::option::Option::None;
            let mut __s1 = ::core::option::Option::None;
            let mut __s2 = ::core::option::Option::None;
            let mut __jump: usize = usize::MAX;
            let __ret = '__resume: loop {
                '__dispatch: loop {
                    match __jump {
                        0usize => {
                            let (n_0,) = match __b0.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let n = n_0;
                                {
                                    {
                                        __s0 = ::core::option::Option::Some((
                                            match leaf("scrut", n) {
                                                __awaited => {
                                                    ::asyncio::coroutine::IntoFuture::into_future(__awaited)
                                                }
                                            },
                                            (),
                                        ));
                                        if false {
                                            ::asyncio::coroutine::resume_hint(
                                                &__s0,
                                                &__b1,
                                                ::core::future::Future::poll,
                                            );
                                        }
                                        __jump = 8usize;
                                        break '__dispatch;
                                    }
                                }
                            }
                        }
                        1usize => {
                            let ((), t2_2) = match __b1.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                #[allow(unused_mut)]
                                let __t1;
                                match ::core::convert::identity(t2_2) {
                                    0 => {
                                        __t1 = "zero".to_string();
                                        {
                                            __b7 = ::core::option::Option::Some((__t1,));
                                            __jump = 7usize;
                                            continue '__dispatch;
                                        }
                                    }
                                    k if k % 2 == 0 => {
                                        __s2 = ::core::option::Option::Some((
                                            match leaf("even", k) {
                                                __awaited => {
                                                    ::asyncio::coroutine::IntoFuture::into_future(__awaited)
                                                }
                                            },
                                            (),
                                        ));
                                        if false {
                                            ::asyncio::coroutine::resume_hint(
                                                &__s2,
                                                &__b5,
                                                ::core::future::Future::poll,
                                            );
                                        }
                                        __jump = 10usize;
                                        break '__dispatch;
                                    }
                                    k => {
                                        __s1 = ::core::option::Option::Some((
                                            match leaf("odd", k * 3) {
                                                __awaited => {
                                                    ::asyncio::coroutine::IntoFuture::into_future(__awaited)
                                                }
                                            },
                                            (),
                                        ));
                                        if false {
                                            ::asyncio::coroutine::resume_hint(
                                                &__s1,
                                                &__b3,
                                                ::core::future::Future::poll,
                                            );
                                        }
                                        __jump = 9usize;
                                        break '__dispatch;
                                    }
                                }
                            }
                        }
                        3usize => {
                            let ((), t4_6) = match __b3.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                #[allow(unused_mut)]
                                let __t1;
                                {
                                    {
                                        let w = ::core::convert::identity(t4_6);
                                        __t1 = format!("odd {w}");
                                    }
                                }
                                {
                                    __b7 = ::core::option::Option::Some((__t1,));
                                    __jump = 7usize;
                                    continue '__dispatch;
                                }
                            }
                        }
                        5usize => {
                            let ((), t3_4) = match __b5.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                #[allow(unused_mut)]
                                let __t1;
                                {
                                    __t1 = format!("even {}", ::core::convert::identity(t3_4));
                                }
                                {
                                    __b7 = ::core::option::Option::Some((__t1,));
                                    __jump = 7usize;
                                    continue '__dispatch;
                                }
                            }
                        }
                        7usize => {
                            let (t1_1,) = match __b7.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let __t1 = t1_1;
                                let s = __t1;
                                {
                                    #[allow(clippy::let_unit_value)]
                                    let __ret: String = s;
                                    break '__resume __ret;
                                };
                            }
                        }
                        _ => break '__dispatch,
                    }
                }
                __jump = ::core::task::ready!(
                    __Frame::__resume(__frame, __jump, & mut __b0, & mut __s0, & mut
                    __b1, ::core::future::Future::poll, & mut __s1, & mut __b3,
                    ::core::future::Future::poll, & mut __s2, & mut __b5,
                    ::core::future::Future::poll, __cx)
                );
            };
            *__frame = __Frame::Done;
            ::core::task::Poll::Ready(__ret)
        },
    );
    ::asyncio::coroutine::Machine::new(__Frame::Start { n_0: n }, __step)
}
