//! Fetches a page N times, concurrently: a `TaskGroup` runs one task per
//! page and a `Semaphore` lets at most C of them talk to the server at
//! once. Plain HTTP/1.1 over `open_connection` (one connection per page,
//! `Connection: close`); the status line and `Content-Length` are parsed.
//! Prints a summary; fails (exit status 1) if any page fails.
//!
//! ```text
//! cargo run --example http_hello -- 127.0.0.1:8080 &
//! cargo run --example fetch -- http://127.0.0.1:8080/ 100 10   # URL [PAGES] [CONCURRENCY]
//! ```

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Instant;

use asyncio::{Error, Result, Semaphore, TaskGroup};

/// An `http://host[:port][/path]` URL.
struct Url {
    host: String,
    port: u16,
    path: String,
}

fn parse_url(url: &str) -> Result<Url> {
    let bad = |why: &str| Error::Value(format!("{url}: {why}").into());
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| bad("only http:// URLs"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, port.parse().map_err(|_| bad("bad port"))?),
        None => (authority, 80),
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    Ok(Url {
        host: host.trim_start_matches('[').trim_end_matches(']').into(),
        port,
        path: path.into(),
    })
}

/// What the tasks report, shared on the loop's thread.
#[derive(Default)]
struct Stats {
    in_flight: usize,
    peak: usize,
    statuses: BTreeMap<u16, usize>,
    bytes: usize,
    first_body: Option<Vec<u8>>,
}

#[asyncio::entry]
fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .ok_or_else(|| Error::Value("usage: fetch URL [PAGES] [CONCURRENCY]".into()))?;
    let number = |arg: Option<String>, default: usize| -> Result<usize> {
        match arg {
            None => Ok(default),
            Some(text) => match text.parse() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(Error::Value(
                    format!("{text}: not a positive number").into(),
                )),
            },
        }
    };
    let pages = number(args.next(), 100)?;
    let concurrency = number(args.next(), 10)?;
    let target = Rc::new(parse_url(&url)?);
    let stats = Rc::new(RefCell::new(Stats::default()));
    let limit = Semaphore::new(concurrency as isize)?;

    let started = Instant::now();
    let shared = stats.clone();
    TaskGroup::new()
        .run(move |tg| fetch_all(tg, target, pages, limit, shared))
        .await?;
    let elapsed = started.elapsed().as_secs_f64();

    let stats = stats.borrow();
    println!(
        "fetched {pages} pages from {url} in {elapsed:.3} s ({:.0} pages/s)",
        pages as f64 / elapsed
    );
    println!("at most {} in flight (limit {concurrency})", stats.peak);
    for (status, count) in &stats.statuses {
        println!("status {status}: {count}");
    }
    println!("body bytes: {}", stats.bytes);
    if let Some(body) = &stats.first_body {
        println!("first body: {:?}", String::from_utf8_lossy(body));
    }
    Ok(())
}

/// The group's body: one task per page. The group waits for them all; the
/// first that fails cancels the others.
#[asyncio::coroutine]
fn fetch_all(
    tg: TaskGroup,
    url: Rc<Url>,
    pages: usize,
    limit: Semaphore,
    stats: Rc<RefCell<Stats>>,
) -> Result<()> {
    for _ in 0..pages {
        // The group holds the task: dropping its handle does not detach it.
        drop(tg.create_task(fetch_one(url.clone(), limit.clone(), stats.clone()))?);
    }
    Ok(())
}

#[asyncio::coroutine]
fn fetch_one(url: Rc<Url>, limit: Semaphore, stats: Rc<RefCell<Stats>>) -> Result<()> {
    let _permit = limit.acquire().await?;
    {
        let mut s = stats.borrow_mut();
        s.in_flight += 1;
        s.peak = s.peak.max(s.in_flight);
    }
    let page = get(&url).await;
    stats.borrow_mut().in_flight -= 1;
    let (status, body) = page?;
    let mut s = stats.borrow_mut();
    *s.statuses.entry(status).or_default() += 1;
    s.bytes += body.len();
    s.first_body.get_or_insert(body);
    Ok(())
}

/// One `GET`: returns the status and the body.
#[asyncio::coroutine]
fn get(url: &Url) -> Result<(u16, Vec<u8>)> {
    let (reader, writer) = asyncio::open_connection(&url.host, url.port).await?;
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}:{}\r\nUser-Agent: asyncio-fetch\r\nConnection: close\r\n\r\n",
        url.path, url.host, url.port
    );
    writer.write(request.as_bytes())?;
    writer.drain().await?;

    let bad = |what: &str| Error::from(std::io::Error::new(std::io::ErrorKind::InvalidData, what));
    let line = reader.readline().await?;
    let line = String::from_utf8_lossy(&line);
    let mut parts = line.split_whitespace();
    let status = match (parts.next(), parts.next()) {
        (Some(version), Some(code)) if version.starts_with("HTTP/1.") => code
            .parse::<u16>()
            .map_err(|_| bad(&format!("bad status line {line:?}")))?,
        _ => return Err(bad(&format!("bad status line {line:?}"))),
    };
    let mut length = None;
    loop {
        let header = reader.readline().await?;
        if !header.ends_with(b"\n") {
            return Err(bad("connection closed in the headers"));
        }
        let header = String::from_utf8_lossy(&header);
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let content_length = header
            .split_once(':')
            .filter(|(name, _)| name.eq_ignore_ascii_case("content-length"));
        if let Some((_, value)) = content_length {
            let n = value.trim().parse::<usize>();
            length = Some(n.map_err(|_| bad("bad Content-Length"))?);
        }
    }
    let body = match length {
        Some(n) => reader.readexactly(n).await?,
        None => reader.read_to_end().await?,
    };
    writer.close();
    writer.wait_closed().await?;
    Ok((status, body))
}
