//! Reply formatting, reply parsing and `explain`: what every session and every
//! `tern explain` pays per reply.
//!
//! `cargo bench -p tern-codes --bench codes`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tern_codes::{Reply, ReplyCode, catalogue, explain, find_reply, parse};

/// Replies as real servers send them: Tern's own (a catalogue entry), a large provider's
/// multi-line refusal (a pattern), an enhanced code only the IANA registry knows, and a bare
/// code with free text.
const REMOTE: &[&[u8]] = &[
    b"550 5.1.1 No such user here: <bob@example.net>\r\n",
    b"550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n\
      550-5.1.1 double-checking the recipient's email address for typos or\r\n\
      550 5.1.1 unnecessary spaces. For more information, go to the help center\r\n",
    b"451 4.7.25 Client host rejected: cannot find your hostname\r\n",
    b"421 Service not available, closing transmission channel\r\n",
];

fn bench_format(c: &mut Criterion) {
    let mut g = c.benchmark_group("reply");
    g.throughput(Throughput::Elements(1));
    g.bench_function(
        "catalogue reply_with + write_wire (250 queued as ...)",
        |b| {
            let mut out = Vec::with_capacity(128);
            b.iter(|| {
                out.clear();
                let reply =
                    catalogue::DATA_QUEUED.reply_with(&[("queue_id", black_box("01JD3S7QX2B4"))]);
                reply.write_wire(true, &mut out);
                black_box(&out);
            })
        },
    );
    let ehlo = Reply::from_lines(
        ReplyCode::new(250).expect("a valid code"),
        None,
        [
            "mx.example.net",
            "PIPELINING",
            "SIZE 26214400",
            "8BITMIME",
            "SMTPUTF8",
            "ENHANCEDSTATUSCODES",
            "CHUNKING",
            "DSN",
            "STARTTLS",
        ],
    );
    g.bench_function("write_wire, 9-line EHLO reply", |b| {
        let mut out = Vec::with_capacity(256);
        b.iter(|| {
            out.clear();
            black_box(&ehlo).write_wire(false, &mut out);
            black_box(&out);
        })
    });
    g.finish();
}

fn bench_parse_and_explain(c: &mut Criterion) {
    let mut g = c.benchmark_group("explain");
    g.throughput(Throughput::Elements(REMOTE.len() as u64));
    g.bench_function("parse (4 replies, 1 to 3 lines)", |b| {
        b.iter(|| {
            for r in REMOTE {
                let _ = black_box(parse(black_box(r)));
            }
        })
    });
    let parsed: Vec<_> = REMOTE
        .iter()
        .map(|r| parse(r).expect("a valid reply"))
        .collect();
    g.bench_function("explain (catalogue, pattern, registry, bare code)", |b| {
        b.iter(|| {
            for p in &parsed {
                black_box(explain(black_box(p)));
            }
        })
    });
    let log = "Nov 28 10:00:01 mx postfix/smtp[123]: 4F2A1: to=<bob@example.net>, \
               relay=mx.example.net[192.0.2.7]:25, status=bounced (host said: \
               550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown)";
    g.throughput(Throughput::Elements(1));
    g.bench_function("find_reply + explain, a Postfix log line", |b| {
        b.iter(|| {
            if let Ok(p) = find_reply(black_box(log)) {
                black_box(explain(&p));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench_format, bench_parse_and_explain);
criterion_main!(benches);
