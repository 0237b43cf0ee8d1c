#[allow(refining_impl_trait)]
fn bump<'__life0>(
    &'__life0 mut self,
    by: u32,
) -> impl ::core::future::Future<
    Output = u32,
> + ::asyncio::coroutine::Captures<(&'__life0 (),)> {
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __Frame<T0, T1, T2, F0> {
        Start { self_0: T0, by_1: T1 },
        S0 { __fut: ::asyncio::coroutine::AwaitSlot<F0>, guard_2: T2, self_0: T0 },
        Running,
        Done,
    }
    ::asyncio::coroutine::Machine::new(
        __Frame::Start {
            self_0: self,
            by_1: by,
        },
        #[allow(
            unreachable_code,
            unused_mut,
            unused_braces,
            clippy::let_unit_value,
            clippy::diverging_sub_expression,
            clippy::match_single_binding
        )]
        |
            __frame: &mut __Frame<_, _, _, _>,
            __cx: &mut ::core::task::Context<'_>,
        | -> ::core::task::Poll<u32> {
            let mut __b0 = ::core::option::Option::None;
            let mut __b1 = ::core::option::Option::None;
            '__resume: loop {
                let mut __jump: usize = match __frame {
                    __Frame::S0 { __fut, .. } => {
                        let __out = ::core::task::ready!(
                            { let __polled = ::core::future::Future::poll(unsafe {
                            ::asyncio::coroutine::AwaitSlot::pinned(__fut) }, __cx,); if
                            __polled.is_ready() {
                            ::asyncio::coroutine::AwaitSlot::clear(__fut); } __polled }
                        );
                        match ::core::mem::replace(__frame, __Frame::Running) {
                            __Frame::S0 { guard_2, self_0, .. } => {
                                __b1 = ::core::option::Option::Some((
                                    self_0,
                                    guard_2,
                                    __out,
                                ));
                                1usize
                            }
                            _ => ::core::unreachable!(),
                        }
                    }
                    __Frame::Start { .. } => {
                        match ::core::mem::replace(__frame, __Frame::Running) {
                            __Frame::Start { self_0, by_1, .. } => {
                                __b0 = ::core::option::Option::Some((self_0, by_1));
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
                '__dispatch: loop {
                    match __jump {
                        0usize => {
                            let (self_0, by_1) = match __b0.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let __self = self_0;
                                let by = by_1;
                                {
                                    let _guard = __self.lock();
                                    {
                                        *__frame = __Frame::S0 {
                                            __fut: match fetch(by) {
                                                __awaited => {
                                                    ::asyncio::coroutine::AwaitSlot::new(
                                                        ::asyncio::coroutine::IntoFuture::into_future(__awaited),
                                                    )
                                                }
                                            },
                                            guard_2: _guard,
                                            self_0: __self,
                                        };
                                        continue '__resume;
                                    }
                                }
                            }
                        }
                        1usize => {
                            let (self_0, guard_2, t1_3) = match __b1.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let __self = self_0;
                                {
                                    let _guard = guard_2;
                                    __self.n += ::core::convert::identity(t1_3);
                                    {
                                        #[allow(clippy::let_unit_value)]
                                        let __ret: u32 = __self.n;
                                        *__frame = __Frame::Done;
                                        return ::core::task::Poll::Ready(__ret);
                                    };
                                }
                            }
                        }
                        _ => ::core::unreachable!(),
                    }
                }
            }
        },
    )
}
