//! Locals that stay in place across awaits: what lets a coroutine hold a
//! borrow of one of its own locals across an `.await`, as an `async fn` can.
//!
//! Most values of a coroutine move through its frame (see [`Machine`]). A
//! local that may be borrowed across an await instead lives in a [`PinnedOrMoved`]
//! inside a [`PinMachine`], which is pinned and `!Unpin`, so its address is
//! stable from the first poll to the drop. The generated code reaches it
//! through [`PinnedOrMoved::place`] and the slot's `Deref`/`DerefMut`, which rustc
//! picks per use exactly as it picks autoref for a plain local: a use that
//! reads makes a shared reference, a use that writes a unique one, and no
//! reference is made that the expression did not ask for.
//!
//! Borrow checking of these locals is not done here but by the *shadow*:
//! the compiler emits the user's body a second time, in dead code, as an
//! ordinary closure whose awaits are replaced by [`shadow_await`], so rustc
//! checks every borrow of every local by its own rules, with locals that
//! never move. The real code performs the same accesses in the same order
//! (a bare-path move is [`PinnedOrMoved::take`], an assignment [`PinnedOrMoved::assign`], the
//! end of the local's scope [`PinnedEnd`]'s drop), so every reference it makes
//! corresponds to one the shadow proved valid.
//!
//! [`Machine`]: super::Machine

use core::future::{Future, IntoFuture};
use core::marker::{PhantomData, PhantomPinned};
use core::mem::MaybeUninit;
use core::ops::{Deref, DerefMut};
use core::pin::Pin;
use core::task::{Context, Poll};

/// Stands for `future.await` in the shadow body, which never runs: its
/// type is what the await evaluates to.
#[inline(always)]
pub fn shadow_await<F: IntoFuture>(_future: F) -> F::Output {
    unreachable!("asyncio: the shadow of a coroutine body never runs")
}

/// The slot behind `this`, for one use of a pinned local.
///
/// # Safety
///
/// `this` points to a slot inside a pinned [`PinMachine`] that outlives
/// `'m`, and the use is one the shadow body accepted.
#[inline(always)]
pub unsafe fn place<'m, S>(this: *mut S) -> &'m mut S {
    // SAFETY: by the caller's contract; slots are `!Unpin`, so this `&mut`
    // does not invalidate shared references into the value.
    unsafe { &mut *this }
}

/// What the generated code does with a pinned local's slot, whichever of
/// the two kinds it is ([`PinnedOrMoved`], with a drop flag, or [`Pinned`],
/// without).
pub trait PinnedSlot {
    /// The local's type.
    type Value;

    /// `let v = value;`: the local comes into scope.
    fn init(this: &mut Self, value: Self::Value);

    /// `v = value;`: drops the old value (if it was not moved), then stores
    /// the new one.
    fn assign(this: &mut Self, value: Self::Value);

    /// The end of the local's scope: drops the value (if it was not moved).
    ///
    /// # Safety
    ///
    /// No reference into the value is used afterwards (the shadow proves it:
    /// the local's scope ends here), and for a [`Pinned`] the value is
    /// there.
    unsafe fn end(this: &mut Self);

    /// The address of the value, for a projection to one of its fields
    /// (see [`in_place`]). Computing it reads nothing.
    ///
    /// # Safety
    ///
    /// `this` points to a slot.
    unsafe fn value(this: *mut Self) -> *mut Self::Value;
}

/// A field of a pinned local, reached in place: `v.a.b` becomes
/// `**in_place(&raw mut (*value).a.b)`, so that a borrow of one field makes
/// a reference to that field only, and borrows of disjoint fields coexist
/// as they do on a plain local.
#[repr(transparent)]
pub struct PinnedField<T: ?Sized> {
    _pinned: PhantomPinned,
    value: T,
}

/// The field behind `field`, for one use.
///
/// # Safety
///
/// As [`place`]: `field` points into a pinned local's value, and the use
/// is one the shadow body accepted.
#[inline(always)]
pub unsafe fn in_place<'m, T: ?Sized>(field: *mut T) -> &'m mut PinnedField<T> {
    // SAFETY: `PinnedField<T>` is a transparent wrapper of `T`; the rest is the
    // caller's contract. `PinnedField: !Unpin`, so this `&mut` asserts no
    // uniqueness over the field; `DerefMut` does, when the use writes.
    unsafe { &mut *(field as *mut PinnedField<T>) }
}

/// The field behind `field`, for one use that only reads it (the chain may
/// pass through a shared reference or an `Rc`).
///
/// # Safety
///
/// As [`in_place`].
#[inline(always)]
pub unsafe fn in_place_ref<'m, T: ?Sized>(field: *const T) -> &'m PinnedField<T> {
    // SAFETY: as in `in_place`; a shared reference, so only `Deref`.
    unsafe { &*(field as *const PinnedField<T>) }
}

impl<T: ?Sized> Deref for PinnedField<T> {
    type Target = T;

    #[inline(always)]
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: ?Sized> DerefMut for PinnedField<T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

/// The storage of one pinned local, with its drop flag.
///
/// `!Unpin`: a `&mut PinnedOrMoved` asserts no uniqueness over the value, so making
/// one (in [`place`]) leaves the references that earlier polls
/// made into the value valid; only `DerefMut`, when the use writes, makes a
/// unique reference to the value itself.
pub struct PinnedOrMoved<T> {
    live: bool,
    value: MaybeUninit<T>,
    _pinned: PhantomPinned,
}

impl<T> PinnedOrMoved<T> {
    /// A slot for a local not yet declared.
    ///
    /// # Safety
    ///
    /// The slot is not dereferenced before [`init`](Self::init) or
    /// [`assign`](Self::assign) stored a value.
    #[inline]
    pub const unsafe fn new() -> Self {
        PinnedOrMoved {
            live: false,
            value: MaybeUninit::uninit(),
            _pinned: PhantomPinned,
        }
    }

    /// A slot holding an argument from the start.
    #[inline]
    pub const fn with(value: T) -> Self {
        PinnedOrMoved {
            live: true,
            value: MaybeUninit::new(value),
            _pinned: PhantomPinned,
        }
    }

    /// A bare-path use of the local in a value position (`let w = v;`,
    /// `f(v)`): a move, a copy, or a reborrow of a `&mut`. The bits stay, so
    /// a later use of a `Copy` value (which the shadow allows) reads them.
    ///
    /// # Safety
    ///
    /// The slot holds a value (the shadow rejects a use of a moved or
    /// unassigned local).
    #[inline(always)]
    pub unsafe fn take(this: &mut Self) -> T {
        this.live = false;
        // SAFETY: initialised by the caller's contract.
        unsafe { this.value.assume_init_read() }
    }
}

impl<T> PinnedSlot for PinnedOrMoved<T> {
    type Value = T;

    #[inline(always)]
    fn init(this: &mut Self, value: T) {
        Self::assign(this, value);
    }

    #[inline(always)]
    fn assign(this: &mut Self, value: T) {
        if this.live {
            this.live = false;
            // SAFETY: `live` says the value is initialised; it is marked dead
            // first, so a panicking drop does not drop it twice.
            unsafe { this.value.assume_init_drop() };
        }
        this.value.write(value);
        this.live = true;
    }

    #[inline(always)]
    unsafe fn end(this: &mut Self) {
        if this.live {
            this.live = false;
            // SAFETY: `live` says the value is initialised.
            unsafe { this.value.assume_init_drop() };
        }
    }

    #[inline(always)]
    unsafe fn value(this: *mut Self) -> *mut T {
        // SAFETY: `this` points to a slot (the caller's contract).
        unsafe { (&raw mut (*this).value).cast() }
    }
}

impl<T> Deref for PinnedOrMoved<T> {
    type Target = T;

    #[inline(always)]
    fn deref(&self) -> &T {
        // SAFETY: a `PinnedOrMoved` is made by `with` (initialised) or by the unsafe
        // `new`, whose caller dereferences it only once a value is stored;
        // the shadow proves every use comes after an assignment.
        unsafe { self.value.assume_init_ref() }
    }
}

impl<T> DerefMut for PinnedOrMoved<T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`.
        unsafe { self.value.assume_init_mut() }
    }
}

impl<T> Drop for PinnedOrMoved<T> {
    fn drop(&mut self) {
        // SAFETY: the machine is being dropped; nothing uses the value again.
        unsafe { PinnedSlot::end(self) }
    }
}

/// The storage of a pinned local that is never moved out and is assigned
/// by its `let`: its value is there from the `let` to the end of its scope,
/// which its guard ([`PinnedEnd`]) marks, so it needs no drop flag (and is as
/// large as the value). Dropping the slot drops nothing: the guard does.
pub struct Pinned<T> {
    value: MaybeUninit<T>,
    _pinned: PhantomPinned,
}

impl<T> Pinned<T> {
    /// A slot for a local not yet declared.
    ///
    /// # Safety
    ///
    /// As [`PinnedOrMoved::new`]; moreover the value is never moved out, and the
    /// slot's guard is created right after its `init`.
    #[inline]
    pub const unsafe fn new() -> Self {
        Pinned {
            value: MaybeUninit::uninit(),
            _pinned: PhantomPinned,
        }
    }
}

impl<T> PinnedSlot for Pinned<T> {
    type Value = T;

    #[inline(always)]
    fn init(this: &mut Self, value: T) {
        this.value.write(value);
    }

    #[inline(always)]
    fn assign(this: &mut Self, value: T) {
        // SAFETY: a `Pinned` is assigned only in its local's scope, after
        // its `init` (`new`'s contract), and never moved out of.
        unsafe { this.value.assume_init_drop() };
        this.value.write(value);
    }

    #[inline(always)]
    unsafe fn end(this: &mut Self) {
        // SAFETY: the value is there (the caller's contract).
        unsafe { this.value.assume_init_drop() };
    }

    #[inline(always)]
    unsafe fn value(this: *mut Self) -> *mut T {
        // SAFETY: `this` points to a slot (the caller's contract).
        unsafe { (&raw mut (*this).value).cast() }
    }
}

impl<T> Deref for Pinned<T> {
    type Target = T;

    #[inline(always)]
    fn deref(&self) -> &T {
        // SAFETY: as in `PinnedOrMoved`'s `deref`.
        unsafe { self.value.assume_init_ref() }
    }
}

impl<T> DerefMut for Pinned<T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `PinnedOrMoved`'s `deref`.
        unsafe { self.value.assume_init_mut() }
    }
}

/// Ends a pinned local's scope when dropped: declared right after the
/// local, as a never-read guard, it drops where the local's scope closes
/// (on every path out, including a suspended coroutine being dropped) and
/// in the local's place in the drop order.
pub struct PinnedEnd<S: PinnedSlot>(*mut S);

impl<S: PinnedSlot> PinnedEnd<S> {
    /// The guard of the slot behind `slot`.
    ///
    /// # Safety
    ///
    /// `slot` points into the same pinned [`PinMachine`] as the guard lives
    /// in (its frame or its step), which drops the guard before its slots;
    /// the slot's value is there (it was just initialised).
    #[inline(always)]
    pub unsafe fn new(slot: *mut S) -> Self {
        PinnedEnd(slot)
    }
}

impl<S: PinnedSlot> Drop for PinnedEnd<S> {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: by `new`'s contract the slot is still there; the local's
        // scope ends here, and the shadow proves no borrow of it outlives it.
        unsafe { PinnedSlot::end(&mut *self.0) }
    }
}

// SAFETY: the guard only drops the value, wherever the machine is: it may
// move to another thread with the machine when the value may.
unsafe impl<S: PinnedSlot> Send for PinnedEnd<S> where S::Value: Send {}
// SAFETY: a shared guard gives access to nothing.
unsafe impl<S: PinnedSlot> Sync for PinnedEnd<S> {}

/// The future of a coroutine with pinned locals: a [`Machine`] plus the
/// slots, which stay where they are from the first poll on.
///
/// Field order is drop order: the frame (which may hold references into the
/// slots, futures borrowing them, and the guards that end them) first, then
/// the slots (a tuple in reverse declaration order).
///
/// [`Machine`]: super::Machine
pub struct PinMachine<S, L, F, E = ()> {
    frame: S,
    locals: L,
    step: F,
    entry: PhantomData<fn() -> E>,
    _pinned: PhantomPinned,
}

impl<S, L, F, E> PinMachine<S, L, F, E> {
    /// Wraps a frame, the slots and the step function. Safe: the step gets
    /// the slots as a raw pointer, and every use of it is the step's own
    /// `unsafe`.
    #[inline]
    pub fn new<T>(frame: S, locals: L, step: F) -> Self
    where
        F: FnMut(&mut S, *mut L, &mut Context<'_>, Option<E>) -> Poll<T>,
    {
        PinMachine {
            frame,
            locals,
            step,
            entry: PhantomData,
            _pinned: PhantomPinned,
        }
    }
}

impl<S, L, F, E, T> Future for PinMachine<S, L, F, E>
where
    F: FnMut(&mut S, *mut L, &mut Context<'_>, Option<E>) -> Poll<T>,
{
    type Output = T;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        // SAFETY: nothing moves out of `self`. `Self: !Unpin`, so this `&mut`
        // asserts no uniqueness over `locals`, which references in `frame`
        // point into; the slots are handed on as a raw pointer.
        let this = unsafe { self.get_unchecked_mut() };
        (this.step)(&mut this.frame, &raw mut this.locals, cx, None)
    }
}

impl<S, L, F, E> core::fmt::Debug for PinMachine<S, L, F, E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Coroutine")
            .field("frame_size", &core::mem::size_of::<S>())
            .field("pinned_size", &core::mem::size_of::<L>())
            .finish_non_exhaustive()
    }
}

/// [`step`](super::step) for a [`PinMachine`]: `locals` is `PhantomData` of
/// its slots, made before the step, so that the step knows their types.
#[inline(always)]
pub fn pinned_step<S, L, E, T, F>(
    entry: PhantomData<fn() -> E>,
    locals: PhantomData<fn() -> L>,
    step: F,
) -> F
where
    F: FnMut(&mut S, *mut L, &mut Context<'_>, Option<E>) -> Poll<T>,
{
    let _ = (entry, locals);
    step
}
