fn loop_break_value(limit: u32) -> impl ::core::future::Future<Output = u32> {
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __Frame<T0, T1, F0> {
        Start { limit_0: T0 },
        S0 { __fut: ::asyncio::__private::AwaitSlot<F0>, i_1: T1, limit_0: T0 },
        Running,
        Done,
    }
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __Goto<T0, T1, T2, T3> {
        B0 { limit_0: T0 },
        B1 { limit_0: T0, i_1: T1 },
        B2 { limit_0: T0, i_1: T1, t2_3: T3 },
        B4 { t1_2: T2 },
    }
    #[allow(unused_unsafe)]
    unsafe {
        ::asyncio::__private::Machine::new(
            __Frame::Start { limit_0: limit },
            #[allow(unreachable_code, unused_mut, unused_braces)]
            |
                __frame: &mut __Frame<_, _, _>,
                __cx: &mut ::core::task::Context<'_>,
            | -> ::core::task::Poll<u32> {
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
                                __Frame::S0 { i_1, limit_0, .. } => {
                                    __Goto::B2 {
                                        i_1,
                                        limit_0,
                                        t2_3: __out,
                                    }
                                }
                                _ => ::core::unreachable!(),
                            }
                        }
                        __Frame::Start { .. } => {
                            match ::core::mem::replace(__frame, __Frame::Running) {
                                __Frame::Start { limit_0, .. } => __Goto::B0 { limit_0 },
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
                            __Goto::B0 { limit_0 } => {
                                #[allow(unused_mut, clippy::let_unit_value)]
                                let limit = limit_0;
                                {
                                    let mut i = 0;
                                    {
                                        __jump = __Goto::B1 {
                                            limit_0: limit,
                                            i_1: i,
                                        };
                                        continue '__dispatch;
                                    }
                                }
                            }
                            __Goto::B1 { limit_0, i_1 } => {
                                #[allow(unused_mut, clippy::let_unit_value)]
                                let limit = limit_0;
                                {
                                    #[allow(unused_mut, clippy::let_unit_value)]
                                    let mut i = i_1;
                                    {
                                        i += 1;
                                        {
                                            *__frame = __Frame::S0 {
                                                __fut: ::asyncio::__private::AwaitSlot::new(
                                                    ::asyncio::__private::IntoFuture::into_future(check(i)),
                                                ),
                                                i_1: i,
                                                limit_0: limit,
                                            };
                                            continue '__resume;
                                        }
                                    }
                                }
                            }
                            __Goto::B2 { limit_0, i_1, t2_3 } => {
                                #[allow(unused_mut, clippy::let_unit_value)]
                                let limit = limit_0;
                                {
                                    #[allow(unused_mut, clippy::let_unit_value)]
                                    let mut i = i_1;
                                    #[allow(unused_mut)]
                                    let __t1;
                                    if ::core::convert::identity(t2_3) >= limit {
                                        {
                                            __t1 = i * 10;
                                            {
                                                __jump = __Goto::B4 { t1_2: __t1 };
                                                continue '__dispatch;
                                            }
                                        };
                                    } else {
                                        __jump = __Goto::B1 {
                                            limit_0: limit,
                                            i_1: i,
                                        };
                                        continue '__dispatch;
                                    }
                                }
                            }
                            __Goto::B4 { t1_2 } => {
                                #[allow(unused_mut, clippy::let_unit_value)]
                                let __t1 = t1_2;
                                let found = __t1;
                                {
                                    #[allow(clippy::let_unit_value)]
                                    let __ret = found + 1;
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
