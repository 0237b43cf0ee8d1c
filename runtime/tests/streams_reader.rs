//! `StreamReader` semantics driven by `feed_data`/`feed_eof`, with no
//! socket: CASES.md C50, C51, C53, `readuntil` with one and several
//! separators, and cancellation of every read kind. Every wait is bounded
//! by an asyncio timeout.

use asyncio::{Error, StreamReader};

/// Bound on any wait in these tests (seconds).
const LIMIT: f64 = 10.0;

fn overrun(outcome: &asyncio::Result<Vec<u8>>) -> Option<usize> {
    match outcome {
        Err(Error::LimitOverrun { consumed }) => Some(*consumed),
        _ => None,
    }
}

/// Feeds `chunks` from another task, one per loop iteration.
#[asyncio::coroutine]
fn feed_later(reader: StreamReader, chunks: Vec<&'static [u8]>, eof: bool) -> asyncio::Result<()> {
    for chunk in chunks {
        asyncio::sleep(0).await?;
        reader.feed_data(chunk);
    }
    if eof {
        asyncio::sleep(0).await?;
        reader.feed_eof();
    }
    Ok(())
}

// ---- C50: read() ----

#[asyncio::test]
fn c50_read_returns_what_is_there_without_waiting_for_n() -> asyncio::Result<()> {
    let reader = StreamReader::new();
    let task = asyncio::create_task(reader.read(30));
    asyncio::sleep(0).await?;
    assert!(!task.done(), "read waits while the buffer is empty");
    reader.feed_data(&[b'x'; 18]);
    let data = asyncio::timeout(LIMIT, task).await?;
    assert_eq!(data, [b'x'; 18], "18 bytes at once, not waiting for 30");
    assert_eq!(reader.buffered(), 0);
    Ok(())
}

#[asyncio::test]
fn c50_read_zero_returns_nothing_and_consumes_nothing() -> asyncio::Result<()> {
    let reader = StreamReader::new();
    reader.feed_data(b"data");
    assert_eq!(reader.read(0).await?, b"");
    assert_eq!(reader.buffered(), 4);
    let empty = StreamReader::new();
    assert_eq!(
        asyncio::timeout(LIMIT, empty.read(0)).await?,
        b"",
        "read(0) never waits"
    );
    Ok(())
}

#[asyncio::test]
fn c50_read_line_breaks_leaves_the_rest() -> asyncio::Result<()> {
    let reader = StreamReader::new();
    reader.feed_data(b"line1");
    reader.feed_data(b"line2");
    assert_eq!(reader.read(5).await?, b"line1");
    assert_eq!(reader.buffered(), 5);
    assert_eq!(reader.read(5).await?, b"line2");
    Ok(())
}

#[asyncio::test]
fn c50_read_at_eof_and_read_to_end() -> asyncio::Result<()> {
    let reader = StreamReader::new();
    reader.feed_eof();
    assert_eq!(reader.read(1024).await?, b"");
    assert!(reader.at_eof());

    let reader = StreamReader::new();
    let feeder = asyncio::create_task(feed_later(
        reader.clone(),
        vec![b"chunk1\n", b"chunk2"],
        true,
    ));
    let all = asyncio::timeout(LIMIT, reader.read_to_end()).await?;
    feeder.await?;
    assert_eq!(all, b"chunk1\nchunk2");
    assert!(reader.at_eof());
    assert_eq!(reader.read(10).await?, b"");
    Ok(())
}

#[asyncio::test]
fn c50_limit_does_not_restrict_read() -> asyncio::Result<()> {
    let reader = StreamReader::with_limit(3)?;
    reader.feed_data(b"chunk");
    assert_eq!(reader.read(5).await?, b"chunk");
    Ok(())
}

#[asyncio::test]
fn c50_exception_wakes_a_pending_readline_and_sticks() -> asyncio::Result<()> {
    let reader = StreamReader::new();
    reader.feed_data(b"line\n");
    assert_eq!(
        reader.readline().await?,
        b"line\n",
        "data before it is read"
    );
    let task = asyncio::create_task(reader.readline());
    asyncio::sleep(0).await?;
    reader.set_exception(Error::Value("boom".into()));
    let outcome = asyncio::timeout(LIMIT, task).await;
    assert!(matches!(outcome, Err(Error::Value(ref m)) if m == "boom"));
    reader.feed_data(b"more\n");
    assert!(matches!(reader.read(4).await, Err(Error::Value(_))));
    assert!(matches!(reader.readline().await, Err(Error::Value(_))));
    assert!(matches!(reader.readexactly(1).await, Err(Error::Value(_))));
    assert!(matches!(reader.read_to_end().await, Err(Error::Value(_))));
    assert!(matches!(reader.exception(), Some(Error::Value(_))));
    Ok(())
}

#[asyncio::test]
fn c50_cancelled_readline_then_set_exception() -> asyncio::Result<()> {
    let reader = StreamReader::new();
    let task = asyncio::create_task(reader.readline());
    asyncio::sleep(0).await?;
    task.cancel();
    assert!(matches!(task.clone().await, Err(Error::Cancelled(_))));
    reader.set_exception(Error::Value("after".into()));
    assert!(
        format!("{reader:?}").contains("waiting: false"),
        "waiter cleared"
    );
    assert!(matches!(reader.read(1).await, Err(Error::Value(_))));
    Ok(())
}

#[test]
fn c50_invalid_limit() {
    assert!(matches!(StreamReader::with_limit(0), Err(Error::Value(_))));
    assert_eq!(StreamReader::new().limit(), 64 * 1024);
}

// ---- C51: readline ----

#[asyncio::test]
fn c51_readline_joins_feeds_and_keeps_the_rest() -> asyncio::Result<()> {
    let reader = StreamReader::new();
    reader.feed_data(b"chunk1 ");
    let feeder = asyncio::create_task(feed_later(
        reader.clone(),
        vec![b"chunk2 ", b"chunk3 ", b"\n chunk4"],
        false,
    ));
    let line = asyncio::timeout(LIMIT, reader.readline()).await?;
    feeder.await?;
    assert_eq!(line, b"chunk1 chunk2 chunk3 \n");
    assert_eq!(reader.buffered(), b" chunk4".len());
    Ok(())
}

#[asyncio::test]
fn c51_readline_at_eof() -> asyncio::Result<()> {
    let reader = StreamReader::new();
    reader.feed_data(b"some data");
    reader.feed_eof();
    assert_eq!(reader.readline().await?, b"some data");
    let empty = StreamReader::new();
    empty.feed_eof();
    assert_eq!(empty.readline().await?, b"");
    Ok(())
}

#[asyncio::test]
fn c51_readline_limit() -> asyncio::Result<()> {
    let reader = StreamReader::with_limit(7)?;
    reader.feed_data(b"1234567\n");
    assert_eq!(reader.readline().await?, b"1234567\n", "exactly the limit");

    reader.feed_data(b"12345678\nnext\n");
    let outcome = reader.readline().await;
    assert_eq!(overrun(&outcome), Some(8));
    assert_eq!(
        reader.readline().await?,
        b"next\n",
        "the long line was dropped"
    );

    let reader = StreamReader::with_limit(3)?;
    reader.feed_data(b"li");
    reader.feed_data(b"ne1\nline2\n");
    assert!(overrun(&reader.readline().await).is_some());
    assert_eq!(reader.read(100).await?, b"line2\n");

    // No newline within the limit: the buffer is dropped.
    let reader = StreamReader::with_limit(3)?;
    reader.feed_data(b"abcdefgh");
    assert!(overrun(&reader.readline().await).is_some());
    assert_eq!(reader.buffered(), 0);
    Ok(())
}

#[asyncio::test]
fn c51_readline_limit_waiting_for_more() -> asyncio::Result<()> {
    let reader = StreamReader::with_limit(4)?;
    let feeder = asyncio::create_task(feed_later(
        reader.clone(),
        vec![b"ab", b"cd", b"ef", b"gh\n"],
        false,
    ));
    let outcome = asyncio::timeout(LIMIT, reader.readline()).await;
    assert!(overrun(&outcome).is_some());
    feeder.await?;
    Ok(())
}

// ---- C53: readexactly ----

#[asyncio::test]
fn c53_readexactly() -> asyncio::Result<()> {
    let reader = StreamReader::new();
    let data = b"chunk".repeat(4);
    let task = asyncio::create_task(reader.readexactly(2 * 10));
    reader.feed_data(&data[..7]);
    asyncio::sleep(0).await?;
    assert!(!task.done());
    reader.feed_data(&data[7..]);
    reader.feed_data(b"rest");
    assert_eq!(asyncio::timeout(LIMIT, task).await?, data);
    assert_eq!(reader.buffered(), 4);

    let limited = StreamReader::with_limit(3)?;
    limited.feed_data(b"chunk");
    assert_eq!(
        limited.readexactly(5).await?,
        b"chunk",
        "the limit does not apply"
    );
    assert_eq!(limited.readexactly(0).await?, b"");
    Ok(())
}

#[asyncio::test]
fn c53_readexactly_eof_is_incomplete_read() -> asyncio::Result<()> {
    let reader = StreamReader::new();
    let task = asyncio::create_task(reader.readexactly(36));
    reader.feed_data(&[b'a'; 18]);
    asyncio::sleep(0).await?;
    reader.feed_eof();
    let err = asyncio::timeout(LIMIT, task).await.unwrap_err();
    match &err {
        Error::IncompleteRead { partial, expected } => {
            assert_eq!(partial[..], [b'a'; 18]);
            assert_eq!(expected, &Some(36));
        }
        other => panic!("expected IncompleteRead, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "18 bytes read on a total of 36 expected bytes"
    );
    assert_eq!(reader.buffered(), 0);
    Ok(())
}

// ---- readuntil ----

#[asyncio::test]
fn readuntil_keeps_the_buffer_on_overrun() -> asyncio::Result<()> {
    let reader = StreamReader::with_limit(4)?;
    reader.feed_data(b"abcdefgh");
    let outcome = reader.readuntil(b"!").await;
    assert!(overrun(&outcome).is_some());
    assert_eq!(reader.buffered(), 8, "buffer kept");
    reader.feed_data(b"ij!");
    let outcome = reader.readuntil(b"!").await;
    assert_eq!(overrun(&outcome), Some(10), "found, but past the limit");
    assert_eq!(reader.read(100).await?, b"abcdefghij!");
    Ok(())
}

#[asyncio::test]
fn readuntil_across_feeds_and_at_eof() -> asyncio::Result<()> {
    let reader = StreamReader::new();
    let feeder = asyncio::create_task(feed_later(
        reader.clone(),
        vec![b"key=val", b"ue\r", b"\nrest"],
        true,
    ));
    assert_eq!(
        asyncio::timeout(LIMIT, reader.readuntil(b"\r\n")).await?,
        b"key=value\r\n",
        "a separator split across feeds"
    );
    let err = asyncio::timeout(LIMIT, reader.readuntil(b"\r\n"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::IncompleteRead { ref partial, expected: None } if **partial == *b"rest")
    );
    feeder.await?;
    assert!(matches!(reader.readuntil(b"").await, Err(Error::Value(_))));
    let none: [&[u8]; 0] = [];
    assert!(matches!(
        reader.readuntil_any(none).await,
        Err(Error::Value(_))
    ));
    Ok(())
}

#[asyncio::test]
fn readuntil_any_earliest_end_wins() -> asyncio::Result<()> {
    let reader = StreamReader::new();
    reader.feed_data(b"aXYbZc");
    let seps: [&[u8]; 2] = [b"Z", b"XY"];
    assert_eq!(reader.readuntil_any(seps).await?, b"aXY");
    assert_eq!(reader.readuntil_any(seps).await?, b"bZ");
    // Overlapping separators: the match that ends first wins.
    reader.feed_data(b"..abcd");
    let seps: [&[u8]; 2] = [b"abcd", b"bc"];
    assert_eq!(reader.readuntil_any(seps).await?, b"c..abc");
    Ok(())
}

#[asyncio::test]
fn a_second_read_while_one_waits_is_invalid() -> asyncio::Result<()> {
    let reader = StreamReader::new();
    let first = asyncio::create_task(reader.readline());
    asyncio::sleep(0).await?;
    assert!(matches!(reader.read(10).await, Err(Error::InvalidState(_))));
    reader.feed_data(b"ok\n");
    assert_eq!(asyncio::timeout(LIMIT, first).await?, b"ok\n");
    Ok(())
}

// ---- cancellation: nothing is consumed ----

/// Each read kind, on a reader that can never satisfy it from `prefix`.
/// Starts one kind of read.
type StartRead = fn(&StreamReader) -> asyncio::StreamRead;

fn kinds() -> Vec<(&'static str, StartRead)> {
    vec![
        ("read_to_end", |r| r.read_to_end()),
        ("readline", |r| r.readline()),
        ("readexactly", |r| r.readexactly(1 << 20)),
        ("readuntil", |r| r.readuntil(b"END")),
        ("readuntil_any", |r| r.readuntil_any([&b"END"[..], b"STOP"])),
    ]
}

#[asyncio::test]
fn every_cancelled_read_consumes_nothing() -> asyncio::Result<()> {
    for (name, start) in kinds() {
        for yields_before_cancel in 0..4 {
            let reader = StreamReader::new();
            reader.feed_data(b"partial data with no newline");
            let task = asyncio::create_task(start(&reader));
            for _ in 0..yields_before_cancel {
                asyncio::sleep(0).await?;
                reader.feed_data(b" more");
            }
            task.cancel();
            let outcome = task.clone().await;
            assert!(
                matches!(outcome, Err(Error::Cancelled(_))),
                "{name}: {outcome:?}"
            );
            let expected_len = b"partial data with no newline".len() + 5 * yields_before_cancel;
            assert_eq!(reader.buffered(), expected_len, "{name} consumed nothing");
            // A read right after the cancelled one works (python/asyncio#318).
            reader.feed_data(b"\n");
            assert_eq!(reader.readline().await?.len(), expected_len + 1, "{name}");
        }
    }
    Ok(())
}

#[asyncio::test]
fn timed_out_reads_lose_nothing_and_the_next_read_works() -> asyncio::Result<()> {
    let reader = StreamReader::new();
    let mut expected = Vec::new();
    let mut got = Vec::new();
    for round in 0..20u8 {
        let chunk = vec![b'a' + round; 100];
        reader.feed_data(&chunk);
        expected.extend_from_slice(&chunk);
        for (_, start) in kinds() {
            let outcome = asyncio::timeout(0.001, start(&reader)).await;
            assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
        }
        got.extend(reader.readexactly(50).await?);
    }
    reader.feed_eof();
    got.extend(asyncio::timeout(LIMIT, reader.read_to_end()).await?);
    assert_eq!(got, expected);
    Ok(())
}

#[asyncio::test]
fn a_cancelled_read_to_end_keeps_its_bytes() -> asyncio::Result<()> {
    let reader = StreamReader::with_limit(16)?;
    let task = asyncio::create_task(reader.read_to_end());
    let mut expected = Vec::new();
    for i in 0..100u32 {
        let chunk = i.to_le_bytes().repeat(10);
        reader.feed_data(&chunk);
        expected.extend(chunk);
        asyncio::sleep(0).await?;
    }
    task.cancel();
    assert!(matches!(task.await, Err(Error::Cancelled(_))));
    assert_eq!(
        reader.buffered(),
        expected.len(),
        "kept in the reader's buffer"
    );
    reader.feed_eof();
    assert_eq!(reader.read_to_end().await?, expected);
    Ok(())
}

#[asyncio::test]
fn large_buffers_compact_and_stay_in_order() -> asyncio::Result<()> {
    let reader = StreamReader::new();
    let mut expected = Vec::new();
    let mut got = Vec::new();
    let mut seed = 1u32;
    for _ in 0..2000 {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let n = (seed >> 16) as usize % 3000;
        let chunk: Vec<u8> = (0..n).map(|i| (i as u32 ^ seed) as u8).collect();
        reader.feed_data(&chunk);
        expected.extend(chunk);
        got.extend(reader.read((seed >> 8) as usize % 2500 + 1).await?);
    }
    reader.feed_eof();
    got.extend(reader.read_to_end().await?);
    assert_eq!(got, expected);
    Ok(())
}
