//! Turning a caught panic into something that can be kept and reported.

use std::any::Any;

/// The message of a panic payload caught by `catch_unwind`.
///
/// `panic!("literal")` carries a `&'static str` and a formatted `panic!`
/// carries a `String`; anything else (a `panic_any` value) has no text, so a
/// placeholder stands in for it.
pub(crate) fn message(payload: &(dyn Any + Send)) -> String {
    if let Some(msg) = payload.downcast_ref::<&'static str>() {
        (*msg).to_owned()
    } else if let Some(msg) = payload.downcast_ref::<String>() {
        msg.clone()
    } else {
        "Box<dyn Any>".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::message;
    use std::panic::catch_unwind;

    #[test]
    fn extracts_text() {
        let payload = catch_unwind(|| panic!("plain")).unwrap_err();
        assert_eq!(message(&*payload), "plain");
        let payload = catch_unwind(|| panic!("formatted {}", 7)).unwrap_err();
        assert_eq!(message(&*payload), "formatted 7");
        let payload = catch_unwind(|| std::panic::panic_any(7_u8)).unwrap_err();
        assert_eq!(message(&*payload), "Box<dyn Any>");
    }
}
