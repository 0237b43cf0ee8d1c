fn try_in_loop(
    paths: Vec<String>,
) -> impl ::core::future::Future<Output = Result<usize, Error>> {
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __Frame<T0, T1, T2, F0> {
        Start { paths_0: T0 },
        S0 { __fut: ::asyncio::__private::AwaitSlot<F0>, iter_2: T2, total_1: T1 },
        Running,
        Done,
    }
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __Goto<T0, T1, T2, T4> {
        B0 { paths_0: T0 },
        B1 { total_1: T1, iter_2: T2 },
        B3 { total_1: T1 },
        B5 { total_1: T1, iter_2: T2, t1_4: T4 },
    }
    #[allow(unused_unsafe)]
    unsafe {
        ::asyncio::__private::Machine::new(
            __Frame::Start { paths_0: paths },
            #[allow(unreachable_code, unused_mut, unused_braces)]
            |
                __frame: &mut __Frame<_, _, _, _>,
                __cx: &mut ::core::task::Context<'_>,
            | -> ::core::task::Poll<Result<usize, Error>> {
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
                                __Frame::S0 { iter_2, total_1, .. } => {
                                    __Goto::B5 {
                                        iter_2,
                                        total_1,
                                        t1_4: __out,
                                    }
                                }
                                _ => ::core::unreachable!(),
                            }
                        }
                        __Frame::Start { .. } => {
                            match ::core::mem::replace(__frame, __Frame::Running) {
                                __Frame::Start { paths_0, .. } => __Goto::B0 { paths_0 },
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
                            __Goto::B0 { paths_0 } => {
                                #[allow(unused_mut, clippy::let_unit_value)]
                                let paths = paths_0;
                                {
                                    let mut total = 0;
                                    {
                                        let mut __iter = ::core::iter::IntoIterator::into_iter(
                                            paths,
                                        );
                                        {
                                            __jump = __Goto::B1 {
                                                total_1: total,
                                                iter_2: __iter,
                                            };
                                            continue '__dispatch;
                                        }
                                    }
                                }
                            }
                            __Goto::B1 { total_1, iter_2 } => {
                                #[allow(unused_mut, clippy::let_unit_value)]
                                let mut total = total_1;
                                {
                                    #[allow(unused_mut, clippy::let_unit_value)]
                                    let mut __iter = iter_2;
                                    {
                                        if let ::core::option::Option::Some(path) = ::core::iter::Iterator::next(
                                            &mut __iter,
                                        ) {
                                            {
                                                *__frame = __Frame::S0 {
                                                    __fut: ::asyncio::__private::AwaitSlot::new(
                                                        ::asyncio::__private::IntoFuture::into_future(read(path)),
                                                    ),
                                                    iter_2: __iter,
                                                    total_1: total,
                                                };
                                                continue '__resume;
                                            }
                                        } else {
                                            {
                                                __jump = __Goto::B3 { total_1: total };
                                                continue '__dispatch;
                                            };
                                        }
                                    }
                                }
                            }
                            __Goto::B3 { total_1 } => {
                                #[allow(unused_mut, clippy::let_unit_value)]
                                let mut total = total_1;
                                {}
                                {
                                    #[allow(clippy::let_unit_value)]
                                    let __ret = Ok(total);
                                    *__frame = __Frame::Done;
                                    return ::core::task::Poll::Ready(__ret);
                                };
                            }
                            __Goto::B5 { total_1, iter_2, t1_4 } => {
                                #[allow(unused_mut, clippy::let_unit_value)]
                                let mut total = total_1;
                                {
                                    #[allow(unused_mut, clippy::let_unit_value)]
                                    let mut __iter = iter_2;
                                    {
                                        let text = match ::asyncio::__private::Try::branch(
                                            ::core::convert::identity(t1_4),
                                        ) {
                                            ::asyncio::__private::ControlFlow::Continue(__value) => {
                                                __value
                                            }
                                            ::asyncio::__private::ControlFlow::Break(__residual) => {
                                                #[allow(clippy::let_unit_value)]
                                                let __ret = ::asyncio::__private::FromResidual::from_residual(
                                                    __residual,
                                                );
                                                *__frame = __Frame::Done;
                                                return ::core::task::Poll::Ready(__ret);
                                            }
                                        };
                                        total += text.len();
                                    }
                                    {
                                        __jump = __Goto::B1 {
                                            total_1: total,
                                            iter_2: __iter,
                                        };
                                        continue '__dispatch;
                                    }
                                }
                            }
                        }
                    }
                }
            },
        )
    }
}
