fn straight_line(a: u32, name: String) -> impl ::core::future::Future<Output = String> {
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __Frame<T0, T1, T3, F0, F1> {
        Start { a_0: T0, name_1: T1 },
        S0 { __fut: ::asyncio::coroutine::AwaitSlot<F0>, name_1: T1 },
        S1 { __fut: ::asyncio::coroutine::AwaitSlot<F1>, x_3: T3, name_1: T1 },
        Running,
        Done,
    }
    ::asyncio::coroutine::Machine::new(
        __Frame::Start {
            a_0: a,
            name_1: name,
        },
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
            __frame: &mut __Frame<_, _, _, _, _>,
            __cx: &mut ::core::task::Context<'_>,
        | -> ::core::task::Poll<String> {
            let mut __b0 = ::core::option::Option::None;
            let mut __b1 = ::core::option::Option::None;
            let mut __b2 = ::core::option::Option::None;
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
                            __Frame::S0 { name_1, .. } => {
                                __b1 = ::core::option::Option::Some((name_1, __out));
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
                            __Frame::S1 { x_3, name_1, .. } => {
                                __b2 = ::core::option::Option::Some((name_1, x_3, __out));
                                2usize
                            }
                            _ => ::core::unreachable!(),
                        }
                    }
                    __Frame::Start { .. } => {
                        match ::core::mem::replace(__frame, __Frame::Running) {
                            __Frame::Start { a_0, name_1, .. } => {
                                __b0 = ::core::option::Option::Some((a_0, name_1));
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
                            let (a_0, name_1) = match __b0.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let a = a_0;
                                let name = name_1;
                                {
                                    {
                                        *__frame = __Frame::S0 {
                                            __fut: match first(a) {
                                                __awaited => {
                                                    ::asyncio::coroutine::AwaitSlot::new(
                                                        ::asyncio::coroutine::IntoFuture::into_future(__awaited),
                                                    )
                                                }
                                            },
                                            name_1: name,
                                        };
                                        continue '__resume;
                                    }
                                }
                            }
                        }
                        1usize => {
                            let (name_1, t1_2) = match __b1.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let name = name_1;
                                let x = ::core::convert::identity(t1_2);
                                {
                                    *__frame = __Frame::S1 {
                                        __fut: match second(x) {
                                            __awaited => {
                                                ::asyncio::coroutine::AwaitSlot::new(
                                                    ::asyncio::coroutine::IntoFuture::into_future(__awaited),
                                                )
                                            }
                                        },
                                        x_3: x,
                                        name_1: name,
                                    };
                                    continue '__resume;
                                }
                            }
                        }
                        2usize => {
                            let (name_1, x_3, t2_4) = match __b2.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let name = name_1;
                                {
                                    let x = x_3;
                                    let y = ::core::convert::identity(t2_4);
                                    {
                                        #[allow(clippy::let_unit_value)]
                                        let __ret: String = format!("{name}: {}", x + y);
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
