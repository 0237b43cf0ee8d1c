//! Pipe transports: `connect_read_pipe` and `connect_write_pipe`, through
//! real pipes (`std::io::pipe`), both ends driven by the loop.

mod support;

use std::os::fd::OwnedFd;

use asyncio::{Error, EventLoop, Transport};
use support::recorder::{Recorder, Shared, lost, until};

fn pattern(i: usize) -> u8 {
    (i.wrapping_mul(2_654_435_761) >> 13) as u8
}

/// A protocol that does nothing.
#[derive(Default, Debug)]
struct Quiet;
impl asyncio::Protocol for Quiet {}

#[asyncio::coroutine]
fn read_end(lp: EventLoop, fd: OwnedFd) -> asyncio::Result<(Transport, Shared)> {
    let seen = Shared::default();
    let recorder_seen = seen.clone();
    let (transport, _) = lp
        .connect_read_pipe(move || Recorder::new(&recorder_seen), fd)
        .await?;
    Ok((transport, seen))
}

#[asyncio::coroutine]
fn write_end(lp: EventLoop, fd: OwnedFd) -> asyncio::Result<(Transport, Shared)> {
    let seen = Shared::default();
    let recorder_seen = seen.clone();
    let (transport, _) = lp
        .connect_write_pipe(move || Recorder::new(&recorder_seen), fd)
        .await?;
    Ok((transport, seen))
}

/// 4 MiB from a write-pipe transport to a read-pipe transport, in order;
/// the pipe (64 KiB) fills, so the writer is paused and resumed; closing
/// the writer gives the reader EOF and `connection_lost(None)`, each once.
#[asyncio::test]
fn four_mib_through_a_pipe_with_flow_control() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (reader, writer) = std::io::pipe()?;
    let (_, read_seen) = read_end(lp.clone(), reader.into()).await?;
    let (writer, write_seen) = write_end(lp, writer.into()).await?;
    let total = 4 << 20;
    let data: Vec<u8> = (0..total).map(pattern).collect();
    for chunk in data.chunks(300_000) {
        writer.write(chunk)?;
    }
    assert!(
        writer.get_write_buffer_size() > 0,
        "the pipe could not take it all at once"
    );
    writer.write_eof();
    until(&read_seen, lost).await?;
    until(&write_seen, lost).await?;
    let read = read_seen.borrow();
    assert!(
        read.data == data,
        "{} bytes read of {total}",
        read.data.len()
    );
    assert_eq!(read.eof, 1);
    assert_eq!(read.lost, [None]);
    let write = write_seen.borrow();
    assert!(
        write.paused >= 1 && write.resumed >= 1,
        "{} / {}",
        write.paused,
        write.resumed
    );
    assert_eq!(write.lost, [None]);
    Ok(())
}

/// The reader going away ends a write pipe: quietly when nothing was left
/// to send, with `BrokenPipe` when data was (and no SIGPIPE kills us).
#[asyncio::test]
fn the_reader_closing_ends_a_write_pipe() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    for buffered in [false, true] {
        let (reader, writer) = std::io::pipe()?;
        let (writer, seen) = write_end(lp.clone(), writer.into()).await?;
        if buffered {
            writer.write(&vec![7; 1 << 20])?;
            assert!(writer.get_write_buffer_size() > 0);
        }
        drop(reader);
        until(&seen, lost).await?;
        let lost = seen.borrow().lost.clone();
        match buffered {
            false => assert_eq!(lost, [None]),
            true => {
                assert_eq!(lost.len(), 1);
                let message = lost[0].clone().expect("an error");
                assert!(message.to_lowercase().contains("broken pipe"), "{message}");
            }
        }
        assert!(writer.is_closing());
    }
    Ok(())
}

#[asyncio::test]
fn a_read_pipe_does_not_write_and_a_regular_file_is_refused() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (reader, _writer) = std::io::pipe()?;
    let (transport, _) = read_end(lp.clone(), reader.into()).await?;
    assert!(matches!(transport.write(b"x"), Err(Error::InvalidState(_))));
    assert!(!transport.can_write_eof());
    transport.close();
    let file = std::fs::File::open("/proc/self/status")?;
    let result = lp.connect_read_pipe(Quiet::default, file.into()).await;
    assert!(matches!(result, Err(Error::Value(_))), "{result:?}");
    Ok(())
}

/// Pausing a read pipe keeps the data in the pipe; resuming delivers it
/// with nothing new written.
#[asyncio::test]
fn a_paused_read_pipe_delivers_on_resume() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (reader, mut writer) = std::io::pipe()?;
    let (transport, seen) = read_end(lp, reader.into()).await?;
    transport.pause_reading();
    assert!(!transport.is_reading());
    std::io::Write::write_all(&mut writer, b"waiting")?;
    // Several loop iterations: the data is ready, and not delivered.
    for _ in 0..5 {
        asyncio::sleep(0.0).await?;
    }
    assert!(seen.borrow().data.is_empty());
    transport.resume_reading();
    until(&seen, |s| s.data == b"waiting").await?;
    transport.close();
    until(&seen, lost).await?;
    Ok(())
}
