#[allow(refining_impl_trait)]
fn bump<'__life0>(
    &'__life0 mut self,
    by: u32,
) -> impl ::core::future::Future<
    Output = u32,
> + ::asyncio::coroutine::Captures<(&'__life0 (),)> {
    if false {
        #[allow(warnings, clippy::all, clippy::pedantic)]
        let _ = move || -> u32 {
            let _guard = self.lock();
            self.n += ::asyncio::coroutine::shadow_await(fetch(by));
            self.n
        };
        loop {}
    }
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __Frame<T0, T1, T2, F0> {
        Start { by_0: T0 },
        S0 {
            __fut: ::asyncio::coroutine::AwaitSlot<F0>,
            guard_2: T2,
            pin_end__self_1: T1,
        },
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
            __b1: &mut ::core::option::Option<((T2, T1), O0)>,
            __poll0: fn(
                ::core::pin::Pin<&mut F0>,
                &mut ::core::task::Context<'_>,
            ) -> ::core::task::Poll<O0>,
            __cx: &mut ::core::task::Context<'_>,
        ) -> ::core::task::Poll<usize> {
            match __jump {
                2usize => {
                    let (__fut, (guard_2, pin_end__self_1)) = match __s0.take() {
                        ::core::option::Option::Some(values) => values,
                        ::core::option::Option::None => ::core::unreachable!(),
                    };
                    *__frame = Self::S0 {
                        __fut: ::asyncio::coroutine::AwaitSlot::new(__fut),
                        guard_2,
                        pin_end__self_1,
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
                    Self::S0 { guard_2, pin_end__self_1, .. } => {
                        let __out = match __o0 {
                            ::core::option::Option::Some(out) => out,
                            ::core::option::Option::None => ::core::unreachable!(),
                        };
                        *__b1 = ::core::option::Option::Some((
                            (guard_2, pin_end__self_1),
                            __out,
                        ));
                        1usize
                    }
                    Self::Start { by_0, .. } => {
                        *__b0 = ::core::option::Option::Some((by_0,));
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
    let __slots = (::asyncio::coroutine::PinnedOrMoved::with(self),);
    #[inline(always)]
    fn __type_of<T>(_: &T) -> ::core::marker::PhantomData<fn() -> T> {
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
    let __step = ::asyncio::coroutine::pinned_step(
        __entry(&by),
        __type_of(&__slots),
        |
            __frame: &mut _,
            __locals: *mut (::asyncio::coroutine::PinnedOrMoved<_>,),
            __cx: &mut ::core::task::Context<'_>,
            __entry_values,
        | -> ::core::task::Poll<u32> {
            let __self = unsafe { &raw mut (*__locals).0 };
            let mut __b0 = __entry_values;
            let mut __b1 = ::core::option::Option::None;
            let mut __s0 = ::core::option::Option::None;
            let mut __jump: usize = usize::MAX;
            let __ret = '__resume: loop {
                '__dispatch: loop {
                    match __jump {
                        0usize => {
                            let (by_0,) = match __b0.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let by = by_0;
                                {
                                    let __pin_end__self = unsafe {
                                        ::asyncio::coroutine::PinnedEnd::new(__self)
                                    };
                                    let _guard = (**unsafe {
                                        ::asyncio::coroutine::place(__self)
                                    })
                                        .lock();
                                    {
                                        __s0 = ::core::option::Option::Some((
                                            match fetch(by) {
                                                __awaited => {
                                                    ::asyncio::coroutine::IntoFuture::into_future(__awaited)
                                                }
                                            },
                                            (_guard, __pin_end__self),
                                        ));
                                        if false {
                                            ::asyncio::coroutine::resume_hint(
                                                &__s0,
                                                &__b1,
                                                ::core::future::Future::poll,
                                            );
                                        }
                                        __jump = 2usize;
                                        break '__dispatch;
                                    }
                                }
                            }
                        }
                        1usize => {
                            let ((guard_2, pin_end__self_1), t1_3) = match __b1.take() {
                                ::core::option::Option::Some(values) => values,
                                ::core::option::Option::None => ::core::unreachable!(),
                            };
                            {
                                let __pin_end__self = pin_end__self_1;
                                let _guard = guard_2;
                                (**unsafe {
                                    ::asyncio::coroutine::in_place(
                                        &raw mut (*::asyncio::coroutine::PinnedSlot::value(__self))
                                            .n,
                                    )
                                }) += ::core::convert::identity(t1_3);
                                {
                                    #[allow(clippy::let_unit_value)]
                                    let __ret: u32 = {
                                        let __taken = unsafe {
                                            ::asyncio::coroutine::PinnedOrMoved::take(
                                                ::asyncio::coroutine::place(__self),
                                            )
                                        };
                                        __taken
                                    }
                                        .n;
                                    break '__resume __ret;
                                };
                            }
                        }
                        _ => break '__dispatch,
                    }
                }
                __jump = ::core::task::ready!(
                    __Frame::__resume(__frame, __jump, & mut __b0, & mut __s0, & mut
                    __b1, ::core::future::Future::poll, __cx)
                );
            };
            *__frame = __Frame::Done;
            ::core::task::Poll::Ready(__ret)
        },
    );
    ::asyncio::coroutine::PinMachine::new(__Frame::Start { by_0: by }, __slots, __step)
}
