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
    #[allow(non_camel_case_types, clippy::type_complexity)]
    #[inline(always)]
    fn __entry<T0, F0, F1, F2>(
        _: &__Frame<T0, F0, F1, F2>,
    ) -> ::core::option::Option<(T0,)> {
        ::core::option::Option::None
    }
    #[allow(non_camel_case_types, clippy::type_complexity, clippy::too_many_arguments)]
    #[inline(always)]
    fn __types<T0, F0, F1, F2>(
        _: &__Frame<T0, F0, F1, F2>,
        _: &::core::option::Option<(F0, ())>,
        _: &::core::option::Option<(F1, ())>,
        _: &::core::option::Option<(F2, ())>,
    ) {}
    ::asyncio::coroutine::Machine::new(
        __Frame::Start { n_0: n },
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
            __cx: &mut ::core::task::Context<'_>,
        | -> ::core::task::Poll<String> {
            let mut __b0 = __entry(__frame);
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
                                        ::asyncio::coroutine::resume_hint(
                                            &__s0,
                                            &__b1,
                                            ::core::future::Future::poll,
                                        );
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
                                        ::asyncio::coroutine::resume_hint(
                                            &__s2,
                                            &__b5,
                                            ::core::future::Future::poll,
                                        );
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
                                        ::asyncio::coroutine::resume_hint(
                                            &__s1,
                                            &__b3,
                                            ::core::future::Future::poll,
                                        );
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
                __types(__frame, &__s0, &__s1, &__s2);
                match __jump {
                    8usize => {
                        let (__fut, ()) = match __s0.take() {
                            ::core::option::Option::Some(values) => values,
                            ::core::option::Option::None => ::core::unreachable!(),
                        };
                        *__frame = __Frame::S0 {
                            __fut: ::asyncio::coroutine::AwaitSlot::new(__fut),
                        };
                    }
                    9usize => {
                        let (__fut, ()) = match __s1.take() {
                            ::core::option::Option::Some(values) => values,
                            ::core::option::Option::None => ::core::unreachable!(),
                        };
                        *__frame = __Frame::S1 {
                            __fut: ::asyncio::coroutine::AwaitSlot::new(__fut),
                        };
                    }
                    10usize => {
                        let (__fut, ()) = match __s2.take() {
                            ::core::option::Option::Some(values) => values,
                            ::core::option::Option::None => ::core::unreachable!(),
                        };
                        *__frame = __Frame::S2 {
                            __fut: ::asyncio::coroutine::AwaitSlot::new(__fut),
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
                            __Frame::S0 { .. } => {
                                __b1 = ::core::option::Option::Some(((), __out));
                                1usize
                            }
                            _ => ::core::unreachable!(),
                        }
                    }
                    __Frame::S1 { __fut, .. } => {
                        let __out = ::core::task::ready!(
                            { let __polled = ::core::future::Future::poll(unsafe {
                            ::asyncio::coroutine::AwaitSlot::pinned(__fut) }, __cx,); if
                            __polled.is_ready() {
                            ::asyncio::coroutine::AwaitSlot::clear(__fut); } __polled }
                        );
                        match ::core::mem::replace(__frame, __Frame::Running) {
                            __Frame::S1 { .. } => {
                                __b3 = ::core::option::Option::Some(((), __out));
                                3usize
                            }
                            _ => ::core::unreachable!(),
                        }
                    }
                    __Frame::S2 { __fut, .. } => {
                        let __out = ::core::task::ready!(
                            { let __polled = ::core::future::Future::poll(unsafe {
                            ::asyncio::coroutine::AwaitSlot::pinned(__fut) }, __cx,); if
                            __polled.is_ready() {
                            ::asyncio::coroutine::AwaitSlot::clear(__fut); } __polled }
                        );
                        match ::core::mem::replace(__frame, __Frame::Running) {
                            __Frame::S2 { .. } => {
                                __b5 = ::core::option::Option::Some(((), __out));
                                5usize
                            }
                            _ => ::core::unreachable!(),
                        }
                    }
                    __Frame::Start { .. } => {
                        match ::core::mem::replace(__frame, __Frame::Running) {
                            __Frame::Start { n_0, .. } => {
                                __b0 = ::core::option::Option::Some((n_0,));
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
