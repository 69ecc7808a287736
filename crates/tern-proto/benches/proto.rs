//! Throughput of command parsing and DATA decoding.
//!
//! `CARGO_TARGET_DIR=/work/target-proto cargo bench -p tern-proto --bench proto`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tern_proto::{DataDecoder, DataEncoder, LineEndingPolicy, LineReader, parse_command};

const COMMANDS: &[&str] = &[
    "EHLO mail.example.org",
    "MAIL FROM:<alice.smith@example.org> SIZE=48213 BODY=8BITMIME",
    "RCPT TO:<bob@example.net>",
    "RCPT TO:<carol+lists@sub.example.com> NOTIFY=FAILURE,DELAY ORCPT=rfc822;carol+2Blists@sub.example.com",
    "DATA",
    "MAIL FROM:<> RET=HDRS ENVID=QQ314159",
    "RCPT TO:<postmaster>",
    "RSET",
    "NOOP",
    "QUIT",
];

fn bench_commands(c: &mut Criterion) {
    let mut g = c.benchmark_group("command");
    g.throughput(Throughput::Elements(COMMANDS.len() as u64));
    g.bench_function("parse_command (10 typical commands)", |b| {
        b.iter(|| {
            for line in COMMANDS {
                let _ = black_box(parse_command(black_box(line.as_bytes())));
            }
        })
    });
    let mut wire = Vec::new();
    for line in COMMANDS {
        wire.extend_from_slice(line.as_bytes());
        wire.extend_from_slice(b"\r\n");
    }
    g.bench_function("LineReader + parse_command (10 pipelined commands)", |b| {
        let mut r = LineReader::default();
        b.iter(|| {
            r.feed(black_box(&wire));
            while let Some(Ok(line)) = r.next_line() {
                let _ = black_box(parse_command(line));
            }
        })
    });
    g.finish();
}

/// About 1 MiB of mail: headers, prose lines of 40-78 characters, a base64 part with 76
/// character lines, and about 1 line in 50 starting with a (stuffed) dot.
fn message() -> Vec<u8> {
    const WORDS: &[&str] = &[
        "the",
        "message",
        "delivery",
        "queue",
        "server",
        "retry",
        "later",
        "of",
        "and",
        "Tern",
        "recipient",
        "mailbox",
        "domain",
        "to",
        "a",
        "is",
        "with",
        "reply",
        "code",
        "explained",
        "people",
        "every",
        "transfer",
        "agent",
        "durable",
        "commit",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) as usize
    };
    let mut m = Vec::with_capacity(1 << 20);
    m.extend_from_slice(
        b"Received: from client.example.org (client.example.org [192.0.2.1])\r\n\
          \tby mx.example.net with ESMTPS id 01J0000000; Mon, 1 Jan 2024 00:00:00 +0000\r\n\
          From: Alice <alice@example.org>\r\nTo: Bob <bob@example.net>\r\n\
          Subject: Quarterly report\r\nMIME-Version: 1.0\r\n\
          Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n\
          Content-Type: text/plain; charset=utf-8\r\n\r\n",
    );
    while m.len() < 600 * 1024 {
        if next() % 50 == 0 {
            m.extend_from_slice(b"..");
        }
        let target = 40 + next() % 39;
        let start = m.len();
        while m.len() - start < target {
            m.extend_from_slice(WORDS[next() % WORDS.len()].as_bytes());
            m.push(b' ');
        }
        m.extend_from_slice(b"\r\n");
    }
    m.extend_from_slice(
        b"--b1\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n",
    );
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    while m.len() < (1 << 20) - 16 {
        for _ in 0..76 {
            m.push(B64[next() % 64]);
        }
        m.extend_from_slice(b"\r\n");
    }
    m.extend_from_slice(b"--b1--\r\n.\r\n");
    m
}

fn bench_data(c: &mut Criterion) {
    let msg = message();
    let mut g = c.benchmark_group("data");
    g.throughput(Throughput::Bytes(msg.len() as u64));
    let mut sink = Vec::with_capacity(msg.len());
    g.bench_function("DataDecoder 1 MiB, one feed", |b| {
        b.iter(|| {
            sink.clear();
            let mut d = DataDecoder::new(u64::MAX, LineEndingPolicy::Normalize);
            let p = d.feed(black_box(&msg), &mut sink);
            assert!(p.outcome.is_some());
        })
    });
    g.bench_function("DataDecoder 1 MiB, 16 KiB feeds", |b| {
        b.iter(|| {
            sink.clear();
            let mut d = DataDecoder::new(u64::MAX, LineEndingPolicy::Normalize);
            for chunk in black_box(&msg).chunks(16 * 1024) {
                d.feed(chunk, &mut sink);
            }
            assert!(d.is_done());
        })
    });
    // The message without its end marker, as the client side stores it.
    let body = &msg[..msg.len() - 3];
    let mut wire = Vec::with_capacity(msg.len() + 1024);
    g.bench_function("DataEncoder 1 MiB (dot-stuffing, client side)", |b| {
        b.iter(|| {
            wire.clear();
            let mut e = DataEncoder::new();
            e.encode(black_box(body), &mut wire);
            e.finish(&mut wire);
        })
    });
    g.finish();
}

criterion_group!(benches, bench_commands, bench_data);
criterion_main!(benches);
