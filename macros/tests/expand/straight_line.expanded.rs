fn straight_line(a: u32, name: String) -> impl ::core::future::Future<Output = String> {
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __Frame<T0, T1, T3, F0, F1> {
        Start { a_0: T0, name_1: T1 },
        S0 { __fut: ::asyncio::__private::AwaitSlot<F0>, name_1: T1 },
        S1 { __fut: ::asyncio::__private::AwaitSlot<F1>, x_3: T3, name_1: T1 },
        Running,
        Done,
    }
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __Goto<T0, T1, T2, T3, T4> {
        B0 { a_0: T0, name_1: T1 },
        B1 { name_1: T1, t1_2: T2 },
        B2 { name_1: T1, x_3: T3, t2_4: T4 },
    }
    #[allow(unused_unsafe)]
    unsafe {
        ::asyncio::__private::Machine::new(
            __Frame::Start {
                a_0: a,
                name_1: name,
            },
            #[allow(unreachable_code, unused_mut, unused_braces)]
            |
                __frame: &mut __Frame<_, _, _, _, _>,
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
                                __Frame::S0 { name_1, .. } => {
                                    __Goto::B1 { name_1, t1_2: __out }
                                }
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
                                __Frame::S1 { x_3, name_1, .. } => {
                                    __Goto::B2 {
                                        x_3,
                                        name_1,
                                        t2_4: __out,
                                    }
                                }
                                _ => ::core::unreachable!(),
                            }
                        }
                        __Frame::Start { .. } => {
                            match ::core::mem::replace(__frame, __Frame::Running) {
                                __Frame::Start { a_0, name_1, .. } => {
                                    __Goto::B0 { a_0, name_1 }
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
                    '__dispatch: loop {
                        match __jump {
                            __Goto::B0 { a_0, name_1 } => {
                                #[allow(unused_mut, clippy::let_unit_value)]
                                let a = a_0;
                                #[allow(unused_mut, clippy::let_unit_value)]
                                let name = name_1;
                                {
                                    {
                                        *__frame = __Frame::S0 {
                                            __fut: ::asyncio::__private::AwaitSlot::new(
                                                ::asyncio::__private::IntoFuture::into_future(first(a)),
                                            ),
                                            name_1: name,
                                        };
                                        continue '__resume;
                                    }
                                }
                            }
                            __Goto::B1 { name_1, t1_2 } => {
                                #[allow(unused_mut, clippy::let_unit_value)]
                                let name = name_1;
                                let x = ::core::convert::identity(t1_2);
                                {
                                    *__frame = __Frame::S1 {
                                        __fut: ::asyncio::__private::AwaitSlot::new(
                                            ::asyncio::__private::IntoFuture::into_future(second(x)),
                                        ),
                                        x_3: x,
                                        name_1: name,
                                    };
                                    continue '__resume;
                                }
                            }
                            __Goto::B2 { name_1, x_3, t2_4 } => {
                                #[allow(unused_mut, clippy::let_unit_value)]
                                let name = name_1;
                                {
                                    #[allow(unused_mut, clippy::let_unit_value)]
                                    let x = x_3;
                                    let y = ::core::convert::identity(t2_4);
                                    {
                                        #[allow(clippy::let_unit_value)]
                                        let __ret = format!("{name}: {}", x + y);
                                        *__frame = __Frame::Done;
                                        return ::core::task::Poll::Ready(__ret);
                                    };
                                }
                            }
                        }
                    }
                }
            },
        )
    }
}
