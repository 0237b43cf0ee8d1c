fn peek(&self) -> impl ::core::future::Future<Output = u32> {
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __Frame<T0, F0> {
        Start { self_0: T0 },
        S0 { __fut: ::asyncio::__private::AwaitSlot<F0> },
        Running,
        Done,
    }
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __Goto<T1> {
        B0 {},
        B1 { t1_1: T1 },
    }
    #[allow(unused_unsafe)]
    unsafe {
        ::asyncio::__private::Machine::new(
            __Frame::Start { self_0: self },
            #[allow(
                unreachable_code,
                unused_mut,
                unused_variables,
                unused_assignments,
                unused_braces,
                clippy::all
            )]
            |
                __frame: &mut __Frame<_, _>,
                __cx: &mut ::core::task::Context<'_>,
            | -> ::core::task::Poll<u32> {
                '__resume: loop {
                    let mut __jump = match __frame {
                        __Frame::S0 { __fut, .. } => {
                            let __out = match unsafe {
                                ::asyncio::__private::AwaitSlot::poll(__fut, __cx)
                            } {
                                ::core::task::Poll::Ready(__out) => __out,
                                ::core::task::Poll::Pending => {
                                    return ::core::task::Poll::Pending;
                                }
                            };
                            match ::core::mem::replace(__frame, __Frame::Running) {
                                __Frame::S0 { .. } => __Goto::B1 { t1_1: __out },
                                _ => ::core::unreachable!(),
                            }
                        }
                        __Frame::Start { .. } => {
                            match ::core::mem::replace(__frame, __Frame::Running) {
                                __Frame::Start { .. } => __Goto::B0 {},
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
                            __Goto::B0 {} => {
                                *__frame = __Frame::S0 {
                                    __fut: ::asyncio::__private::AwaitSlot::new(
                                        ::asyncio::__private::IntoFuture::into_future(
                                            leaf("peek", __self.n),
                                        ),
                                    ),
                                };
                                continue '__resume;
                            }
                            __Goto::B1 { t1_1 } => {
                                #[allow(unused_mut)]
                                let __t1 = t1_1;
                                let v = __t1;
                                {
                                    let __ret = v + __self.n;
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
