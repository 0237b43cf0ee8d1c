fn try_in_loop(
    paths: Vec<String>,
) -> impl ::core::future::Future<Output = Result<usize, Error>> {
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __Frame<T0, T1, T2, F0> {
        Start { paths_0: T0 },
        S0 { __fut: ::asyncio::coroutine::AwaitSlot<F0>, iter_2: T2, total_1: T1 },
        Running,
        Done,
    }
    #[allow(non_camel_case_types)]
    impl<T0, T1, T2, F0> __Frame<T0, T1, T2, F0> {
        #[allow(clippy::too_many_arguments, clippy::type_complexity)]
        #[inline]
        fn __resume<O0>(
            __frame: &mut Self,
            __jump: usize,
            __b0: &mut ::core::option::Option<(T0,)>,
            __s0: &mut ::core::option::Option<(F0, (T2, T1))>,
            __b5: &mut ::core::option::Option<((T2, T1), O0)>,
            __poll0: fn(
                ::core::pin::Pin<&mut F0>,
                &mut ::core::task::Context<'_>,
            ) -> ::core::task::Poll<O0>,
            __cx: &mut ::core::task::Context<'_>,
        ) -> ::core::task::Poll<usize> {
            match __jump {
                6usize => {
                    let (__fut, (iter_2, total_1)) = match __s0.take() {
                        ::core::option::Option::Some(values) => values,
                        ::core::option::Option::None => ::core::unreachable!(),
                    };
                    *__frame = Self::S0 {
                        __fut: ::asyncio::coroutine::AwaitSlot::new(__fut),
                        iter_2,
                        total_1,
                    };
                }
                _ => {}
            }
            let mut __o0: ::core::option::Option<O0> = ::core::option::Option::None;
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
                    Self::S0 { iter_2, total_1, .. } => {
                        let __out = match __o0 {
                            ::core::option::Option::Some(out) => out,
                            ::core::option::Option::None => ::core::unreachable!(),
                        };
                        *__b5 = ::core::option::Option::Some(((iter_2, total_1), __out));
                        5usize
                    }
                    Self::Start { paths_0, .. } => {
                        *__b0 = ::core::option::Option::Some((paths_0,));
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
        __entry(&paths),
        |
            __frame: &mut _,
            __cx: &mut ::core::task::Context<'_>,
            __entry_values,
        | -> ::core::task::Poll<Result<usize, Error>> {
            let mut __b0 = __entry_values;
            let mut __b1 = ::core::option::Option::None;
            let mut __b3 = ::core::option::Option::None;
            let mut __b5 = ::core::option::Option::None;
            let mut __s0 = ::core::option::Option::None;
            let mut __jump: usize = usize::MAX;
            let __ret = '__resume: loop {
                '__dispatch: loop {
                    match __jump {
                        0usize => {
                            let (paths_0,) = match __b0.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let paths = paths_0;
                                {
                                    let mut total = 0;
                                    {
                                        let mut __iter = ::core::iter::IntoIterator::into_iter(
                                            paths,
                                        );
                                        {
                                            __b1 = ::core::option::Option::Some((total, __iter));
                                            __jump = 1usize;
                                            continue '__dispatch;
                                        }
                                    }
                                }
                            }
                        }
                        1usize => {
                            let (total_1, iter_2) = match __b1.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let mut total = total_1;
                                {
                                    let mut __iter = iter_2;
                                    {
                                        if let ::core::option::Option::Some(path) = ::core::iter::Iterator::next(
                                            &mut __iter,
                                        ) {
                                            {
                                                __s0 = ::core::option::Option::Some((
                                                    match read(path) {
                                                        __awaited => {
                                                            ::asyncio::coroutine::IntoFuture::into_future(__awaited)
                                                        }
                                                    },
                                                    (__iter, total),
                                                ));
                                                if false {
                                                    ::asyncio::coroutine::resume_hint(
                                                        &__s0,
                                                        &__b5,
                                                        ::core::future::Future::poll,
                                                    );
                                                }
                                                __jump = 6usize;
                                                break '__dispatch;
                                            }
                                        } else {
                                            {
                                                __b3 = ::core::option::Option::Some((total,));
                                                __jump = 3usize;
                                                continue '__dispatch;
                                            };
                                        }
                                    }
                                }
                            }
                        }
                        3usize => {
                            let (total_1,) = match __b3.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let mut total = total_1;
                                {}
                                {
                                    #[allow(clippy::let_unit_value)]
                                    let __ret: Result<usize, Error> = Ok(total);
                                    break '__resume __ret;
                                };
                            }
                        }
                        5usize => {
                            let ((iter_2, total_1), t1_4) = match __b5.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let mut total = total_1;
                                {
                                    let mut __iter = iter_2;
                                    {
                                        let text = match ::core::convert::identity(t1_4) {
                                            __tried => {
                                                match ::asyncio::coroutine::Try::branch(__tried) {
                                                    ::asyncio::coroutine::ControlFlow::Continue(__value) => {
                                                        __value
                                                    }
                                                    ::asyncio::coroutine::ControlFlow::Break(__residual) => {
                                                        #[allow(clippy::let_unit_value)]
                                                        let __ret: Result<usize, Error> = ::asyncio::coroutine::FromResidual::from_residual(
                                                            __residual,
                                                        );
                                                        break '__resume __ret;
                                                    }
                                                }
                                            }
                                        };
                                        total += text.len();
                                    }
                                    {
                                        __b1 = ::core::option::Option::Some((total, __iter));
                                        __jump = 1usize;
                                        continue '__dispatch;
                                    }
                                }
                            }
                        }
                        _ => break '__dispatch,
                    }
                }
                __jump = ::core::task::ready!(
                    __Frame::__resume(__frame, __jump, & mut __b0, & mut __s0, & mut
                    __b5, ::core::future::Future::poll, __cx)
                );
            };
            *__frame = __Frame::Done;
            ::core::task::Poll::Ready(__ret)
        },
    );
    ::asyncio::coroutine::Machine::new(__Frame::Start { paths_0: paths }, __step)
}
