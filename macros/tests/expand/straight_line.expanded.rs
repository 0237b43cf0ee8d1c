fn straight_line(a: u32, name: String) -> impl ::core::future::Future<Output = String> {
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __Frame<T0, T1, T3, F0, F1> {
        Start { a_0: T0, name_1: T1 },
        S0 { __fut: ::asyncio::coroutine::AwaitSlot<F0>, name_1: T1 },
        S1 { __fut: ::asyncio::coroutine::AwaitSlot<F1>, x_3: T3, name_1: T1 },
        Running,
        Done,
    }
    #[allow(non_camel_case_types, clippy::type_complexity)]
    #[inline(always)]
    fn __entry<T0, T1, T3, F0, F1>(
        _: &__Frame<T0, T1, T3, F0, F1>,
    ) -> ::core::option::Option<(T0, T1)> {
        ::core::option::Option::None
    }
    #[allow(non_camel_case_types, clippy::type_complexity, clippy::too_many_arguments)]
    #[inline(always)]
    fn __types<T0, T1, T3, F0, F1>(
        _: &__Frame<T0, T1, T3, F0, F1>,
        _: &::core::option::Option<(F0, (T1,))>,
        _: &::core::option::Option<(F1, (T3, T1))>,
    ) {}
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
            let mut __b0 = __entry(__frame);
            let mut __b1 = ::core::option::Option::None;
            let mut __b2 = ::core::option::Option::None;
            let mut __s0 = ::core::option::Option::None;
            let mut __s1 = ::core::option::Option::None;
            let mut __jump: usize = usize::MAX;
            let __ret = '__resume: loop {
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
                                        __s0 = ::core::option::Option::Some((
                                            match first(a) {
                                                __awaited => {
                                                    ::asyncio::coroutine::IntoFuture::into_future(__awaited)
                                                }
                                            },
                                            (name,),
                                        ));
                                        ::asyncio::coroutine::resume_hint(
                                            &__s0,
                                            &__b1,
                                            ::core::future::Future::poll,
                                        );
                                        __jump = 3usize;
                                        break '__dispatch;
                                    }
                                }
                            }
                        }
                        1usize => {
                            let ((name_1,), t1_2) = match __b1.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let name = name_1;
                                let x = ::core::convert::identity(t1_2);
                                {
                                    __s1 = ::core::option::Option::Some((
                                        match second(x) {
                                            __awaited => {
                                                ::asyncio::coroutine::IntoFuture::into_future(__awaited)
                                            }
                                        },
                                        (x, name),
                                    ));
                                    ::asyncio::coroutine::resume_hint(
                                        &__s1,
                                        &__b2,
                                        ::core::future::Future::poll,
                                    );
                                    __jump = 4usize;
                                    break '__dispatch;
                                }
                            }
                        }
                        2usize => {
                            let ((x_3, name_1), t2_4) = match __b2.take() {
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
                                        break '__resume __ret;
                                    };
                                }
                            }
                        }
                        _ => break '__dispatch,
                    }
                }
                __types(__frame, &__s0, &__s1);
                match __jump {
                    3usize => {
                        let (__fut, (name_1,)) = match __s0.take() {
                            ::core::option::Option::Some(values) => values,
                            ::core::option::Option::None => ::core::unreachable!(),
                        };
                        *__frame = __Frame::S0 {
                            __fut: ::asyncio::coroutine::AwaitSlot::new(__fut),
                            name_1,
                        };
                    }
                    4usize => {
                        let (__fut, (x_3, name_1)) = match __s1.take() {
                            ::core::option::Option::Some(values) => values,
                            ::core::option::Option::None => ::core::unreachable!(),
                        };
                        *__frame = __Frame::S1 {
                            __fut: ::asyncio::coroutine::AwaitSlot::new(__fut),
                            x_3,
                            name_1,
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
                            __Frame::S0 { name_1, .. } => {
                                __b1 = ::core::option::Option::Some(((name_1,), __out));
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
                                __b2 = ::core::option::Option::Some(((x_3, name_1), __out));
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
            };
            *__frame = __Frame::Done;
            ::core::task::Poll::Ready(__ret)
        },
    )
}
