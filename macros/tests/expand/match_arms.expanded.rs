fn match_arms(n: u32) -> impl ::core::future::Future<Output = String> {
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __Frame<T0, F0, F1, F2> {
        Start { n_0: T0 },
        S0 { __fut: ::asyncio::__private::AwaitSlot<F0> },
        S1 { __fut: ::asyncio::__private::AwaitSlot<F1> },
        S2 { __fut: ::asyncio::__private::AwaitSlot<F2> },
        Running,
        Done,
    }
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __Goto<T0, T1, T2, T4, T6> {
        B0 { n_0: T0 },
        B1 { t2_2: T2 },
        B3 { t4_6: T6 },
        B5 { t3_4: T4 },
        B7 { t1_1: T1 },
    }
    #[allow(unused_unsafe)]
    unsafe {
        ::asyncio::__private::Machine::new(
            __Frame::Start { n_0: n },
            #[allow(unreachable_code, unused_mut, unused_braces)]
            |
                __frame: &mut __Frame<_, _, _, _>,
                __cx: &mut ::core::task::Context<'_>,
            | -> ::core::task::Poll<String> {
                '__resume: loop {
                    let mut __jump = match __frame {
                        __Frame::S0 { __fut, .. } => {
                            #[allow(clippy::let_unit_value)]
                            let __out = match unsafe {
                                ::asyncio::__private::AwaitSlot::poll(__fut, __cx)
                            } {
                                ::core::task::Poll::Ready(__out) => __out,
                                ::core::task::Poll::Pending => {
                                    return ::core::task::Poll::Pending;
                                }
                            };
                            match ::core::mem::replace(__frame, __Frame::Running) {
                                __Frame::S0 { .. } => __Goto::B1 { t2_2: __out },
                                _ => ::core::unreachable!(),
                            }
                        }
                        __Frame::S1 { __fut, .. } => {
                            #[allow(clippy::let_unit_value)]
                            let __out = match unsafe {
                                ::asyncio::__private::AwaitSlot::poll(__fut, __cx)
                            } {
                                ::core::task::Poll::Ready(__out) => __out,
                                ::core::task::Poll::Pending => {
                                    return ::core::task::Poll::Pending;
                                }
                            };
                            match ::core::mem::replace(__frame, __Frame::Running) {
                                __Frame::S1 { .. } => __Goto::B3 { t4_6: __out },
                                _ => ::core::unreachable!(),
                            }
                        }
                        __Frame::S2 { __fut, .. } => {
                            #[allow(clippy::let_unit_value)]
                            let __out = match unsafe {
                                ::asyncio::__private::AwaitSlot::poll(__fut, __cx)
                            } {
                                ::core::task::Poll::Ready(__out) => __out,
                                ::core::task::Poll::Pending => {
                                    return ::core::task::Poll::Pending;
                                }
                            };
                            match ::core::mem::replace(__frame, __Frame::Running) {
                                __Frame::S2 { .. } => __Goto::B5 { t3_4: __out },
                                _ => ::core::unreachable!(),
                            }
                        }
                        __Frame::Start { .. } => {
                            match ::core::mem::replace(__frame, __Frame::Running) {
                                __Frame::Start { n_0, .. } => __Goto::B0 { n_0 },
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
                    '__dispatch: loop {
                        match __jump {
                            __Goto::B0 { n_0 } => {
                                #[allow(unused_mut, clippy::let_unit_value)]
                                let n = n_0;
                                {
                                    {
                                        *__frame = __Frame::S0 {
                                            __fut: ::asyncio::__private::AwaitSlot::new(
                                                ::asyncio::__private::IntoFuture::into_future(
                                                    leaf("scrut", n),
                                                ),
                                            ),
                                        };
                                        continue '__resume;
                                    }
                                }
                            }
                            __Goto::B1 { t2_2 } => {
                                #[allow(unused_mut)]
                                let __t1;
                                match ::core::convert::identity(t2_2) {
                                    0 => {
                                        __t1 = "zero".to_string();
                                        {
                                            __jump = __Goto::B7 { t1_1: __t1 };
                                            continue '__dispatch;
                                        }
                                    }
                                    k if k % 2 == 0 => {
                                        *__frame = __Frame::S2 {
                                            __fut: ::asyncio::__private::AwaitSlot::new(
                                                ::asyncio::__private::IntoFuture::into_future(
                                                    leaf("even", k),
                                                ),
                                            ),
                                        };
                                        continue '__resume;
                                    }
                                    k => {
                                        *__frame = __Frame::S1 {
                                            __fut: ::asyncio::__private::AwaitSlot::new(
                                                ::asyncio::__private::IntoFuture::into_future(
                                                    leaf("odd", k * 3),
                                                ),
                                            ),
                                        };
                                        continue '__resume;
                                    }
                                }
                            }
                            __Goto::B3 { t4_6 } => {
                                #[allow(unused_mut)]
                                let __t1;
                                {
                                    {
                                        let w = ::core::convert::identity(t4_6);
                                        __t1 = format!("odd {w}");
                                    }
                                }
                                {
                                    __jump = __Goto::B7 { t1_1: __t1 };
                                    continue '__dispatch;
                                }
                            }
                            __Goto::B5 { t3_4 } => {
                                #[allow(unused_mut)]
                                let __t1;
                                {
                                    __t1 = format!("even {}", ::core::convert::identity(t3_4));
                                }
                                {
                                    __jump = __Goto::B7 { t1_1: __t1 };
                                    continue '__dispatch;
                                }
                            }
                            __Goto::B7 { t1_1 } => {
                                #[allow(unused_mut, clippy::let_unit_value)]
                                let __t1 = t1_1;
                                let s = __t1;
                                {
                                    #[allow(clippy::let_unit_value)]
                                    let __ret = s;
                                    *__frame = __Frame::Done;
                                    return ::core::task::Poll::Ready(__ret);
                                };
                            }
                        }
                    }
                }
            },
        )
    }
}
