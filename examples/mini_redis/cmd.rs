//! Commands (mini-redis's `src/cmd/`): parsed from a request frame,
//! applied to the [`Db`], answered with a frame.

use std::time::Duration;

use crate::db::{Db, IncrError};
use crate::frame::Frame;

pub enum Command {
    Ping(Option<Vec<u8>>),
    Echo(Vec<u8>),
    Get(Vec<u8>),
    Set {
        key: Vec<u8>,
        value: Vec<u8>,
        expire: Option<Duration>,
    },
    Del(Vec<Vec<u8>>),
    Incr(Vec<u8>),
    Expire(Vec<u8>, i64),
    Ttl(Vec<u8>),
}

fn wrong_arity(name: &str) -> String {
    format!(
        "ERR wrong number of arguments for '{}' command",
        name.to_ascii_lowercase()
    )
}

fn integer(arg: &[u8]) -> Result<i64, String> {
    std::str::from_utf8(arg)
        .ok()
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| "ERR value is not an integer or out of range".to_string())
}

impl Command {
    /// The command a request frame asks for, or the error to answer.
    pub fn from_frame(frame: Frame) -> Result<Command, String> {
        let Frame::Array(items) = frame else {
            return Err("ERR Protocol error: expected an array of bulk strings".into());
        };
        let mut args = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Frame::Bulk(arg) => args.push(arg),
                Frame::Simple(arg) => args.push(arg.into_bytes()),
                Frame::Integer(n) => args.push(n.to_string().into_bytes()),
                _ => return Err("ERR Protocol error: expected an array of bulk strings".into()),
            }
        }
        let mut args = args.into_iter();
        let Some(name) = args.next() else {
            return Err("ERR empty command".into());
        };
        let name = String::from_utf8_lossy(&name).to_ascii_uppercase();
        let args: Vec<Vec<u8>> = args.collect();
        let one = |args: Vec<Vec<u8>>| -> Result<Vec<u8>, String> {
            match <[Vec<u8>; 1]>::try_from(args) {
                Ok([arg]) => Ok(arg),
                Err(_) => Err(wrong_arity(&name)),
            }
        };
        match name.as_str() {
            "PING" if args.len() <= 1 => Ok(Command::Ping(args.into_iter().next())),
            "ECHO" => Ok(Command::Echo(one(args)?)),
            "GET" => Ok(Command::Get(one(args)?)),
            "INCR" => Ok(Command::Incr(one(args)?)),
            "TTL" => Ok(Command::Ttl(one(args)?)),
            "DEL" if !args.is_empty() => Ok(Command::Del(args)),
            "EXPIRE" if args.len() == 2 => {
                let seconds = integer(&args[1])?;
                let key = args.into_iter().next().unwrap();
                Ok(Command::Expire(key, seconds))
            }
            "SET" if args.len() >= 2 => Command::parse_set(args),
            "PING" | "DEL" | "EXPIRE" | "SET" => Err(wrong_arity(&name)),
            _ => {
                let shown: String = name.chars().take(128).collect();
                Err(format!("ERR unknown command '{shown}'"))
            }
        }
    }

    /// `SET key value [EX seconds | PX milliseconds]`.
    fn parse_set(args: Vec<Vec<u8>>) -> Result<Command, String> {
        let mut args = args.into_iter();
        let key = args.next().unwrap();
        let value = args.next().unwrap();
        let mut expire = None;
        while let Some(option) = args.next() {
            let unit_ms = if option.eq_ignore_ascii_case(b"EX") {
                1000
            } else if option.eq_ignore_ascii_case(b"PX") {
                1
            } else {
                return Err("ERR syntax error".into());
            };
            let (Some(amount), None) = (args.next(), expire) else {
                return Err("ERR syntax error".into());
            };
            let amount = integer(&amount)?;
            let ms = match amount.checked_mul(unit_ms) {
                Some(ms) if ms > 0 => ms,
                _ => return Err("ERR invalid expire time in 'set' command".into()),
            };
            expire = Some(Duration::from_millis(ms as u64));
        }
        Ok(Command::Set { key, value, expire })
    }

    /// Applies the command; returns the response.
    pub fn apply(self, db: &Db) -> Frame {
        match self {
            Command::Ping(None) => Frame::simple("PONG"),
            Command::Ping(Some(msg)) | Command::Echo(msg) => Frame::Bulk(msg),
            Command::Get(key) => match db.get(&key) {
                Some(value) => Frame::Bulk(value),
                None => Frame::Null,
            },
            Command::Set { key, value, expire } => {
                db.set(key, value, expire);
                Frame::simple("OK")
            }
            Command::Del(keys) => Frame::Integer(db.del(&keys)),
            Command::Incr(key) => match db.incr(&key) {
                Ok(n) => Frame::Integer(n),
                Err(IncrError::NotAnInteger) => {
                    Frame::error("ERR value is not an integer or out of range")
                }
                Err(IncrError::Overflow) => {
                    Frame::error("ERR increment or decrement would overflow")
                }
            },
            Command::Expire(key, seconds) => {
                Frame::Integer(i64::from(db.expire(&key, i128::from(seconds) * 1000)))
            }
            Command::Ttl(key) => match db.pttl(&key) {
                ms if ms < 0 => Frame::Integer(ms),
                // Rounded to the nearest second, as Redis does.
                ms => Frame::Integer((ms + 500) / 1000),
            },
        }
    }
}
