//! Deadlines and size numbers at their edges, with the time given by the test: a command line
//! or an AUTH dialogue that drips in is cut off by the whole-record deadline however recent
//! its last octet, and `SIZE=` and `BDAT` answer the same number alike.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tern_proto::{ServerSession, SessionConfig};

use super::{Outcome, drain, show, tls_info};

fn session(config: SessionConfig, now: Instant) -> (ServerSession, Outcome) {
    let mut s = ServerSession::new(Arc::new(config), now);
    let mut out = Outcome {
        output: Vec::new(),
        bodies: Vec::new(),
        closed: false,
    };
    drain(&mut s, &mut out, &mut 0);
    (s, out)
}

fn deadlines() -> SessionConfig {
    SessionConfig {
        command_timeout: Duration::from_secs(10),
        record_deadline: Duration::from_secs(3),
        auth_available: true,
        ..SessionConfig::default()
    }
}

#[track_caller]
fn assert_closed_by_the_record_deadline(out: &Outcome) {
    let text = show(&out.output);
    assert!(out.closed, "{text}");
    assert!(
        text.ends_with(
            "421 4.4.2 Timeout: command or authentication not complete after 3 seconds; \
             closing connection\r\n"
        ),
        "{text}"
    );
}

#[test]
fn a_dripped_command_line_meets_the_record_deadline() {
    let t0 = Instant::now();
    let (mut s, mut out) = session(deadlines(), t0);
    s.receive(b"EHLO c.example\r\n", t0);
    drain(&mut s, &mut out, &mut 0);
    // Waiting for a command: only the silence limit runs.
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(10)));
    let first = t0 + Duration::from_secs(5);
    let mut t = first;
    for b in b"NOOP" {
        s.receive(&[*b], t);
        drain(&mut s, &mut out, &mut 0);
        // The line's deadline runs from its first octet, however recent the last one.
        assert_eq!(s.poll_timeout(), Some(first + Duration::from_secs(3)));
        s.handle_timeout(t);
        drain(&mut s, &mut out, &mut 0);
        assert!(!out.closed, "{}", show(&out.output));
        t += Duration::from_millis(900);
    }
    s.handle_timeout(first + Duration::from_secs(3));
    drain(&mut s, &mut out, &mut 0);
    assert_closed_by_the_record_deadline(&out);
}

#[test]
fn each_command_line_gets_its_own_deadline() {
    let t0 = Instant::now();
    let (mut s, mut out) = session(deadlines(), t0);
    // A line completed at t0 + 2 s and the next begun in the same input: the next one's clock
    // starts then.
    s.receive(b"EHLO c.ex", t0);
    s.receive(b"ample\r\nNO", t0 + Duration::from_secs(2));
    drain(&mut s, &mut out, &mut 0);
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(5)));
    s.receive(b"OP\r\n", t0 + Duration::from_secs(4));
    drain(&mut s, &mut out, &mut 0);
    assert!(show(&out.output).ends_with("250 2.0.0 Ok\r\n"));
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(14)));
}

#[test]
fn the_rest_of_a_too_long_line_meets_the_record_deadline() {
    let t0 = Instant::now();
    let (mut s, mut out) = session(deadlines(), t0);
    s.receive(b"EHLO c.example\r\n", t0);
    s.receive(&[b'x'; 600], t0);
    drain(&mut s, &mut out, &mut 0);
    assert!(
        show(&out.output).contains("\r\n500 5.5.2 "),
        "{}",
        show(&out.output)
    );
    // The client goes on dripping the same endless line.
    for i in 1..=3 {
        let t = t0 + Duration::from_secs(i);
        s.receive(b"x", t);
        s.handle_timeout(t);
    }
    drain(&mut s, &mut out, &mut 0);
    assert_closed_by_the_record_deadline(&out);
}

#[test]
fn an_auth_dialogue_meets_the_record_deadline_as_a_whole() {
    let t0 = Instant::now();
    let (mut s, mut out) = session(deadlines(), t0);
    s.set_implicit_tls(tls_info());
    s.receive(b"EHLO c.example\r\nAUTH LOGIN\r\n", t0);
    drain(&mut s, &mut out, &mut 0);
    assert!(
        show(&out.output).ends_with("334 VXNlcm5hbWU6\r\n"),
        "{}",
        show(&out.output)
    );
    // Each line comes quickly; together they take too long.
    s.receive(b"YWxpY2U=\r\n", t0 + Duration::from_secs(2));
    drain(&mut s, &mut out, &mut 0);
    assert!(
        show(&out.output).ends_with("334 UGFzc3dvcmQ6\r\n"),
        "{}",
        show(&out.output)
    );
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(3)));
    s.handle_timeout(t0 + Duration::from_secs(3));
    drain(&mut s, &mut out, &mut 0);
    assert_closed_by_the_record_deadline(&out);
}

/// The first reply line's code and enhanced code.
fn first_code(reply: &str) -> String {
    reply.split(' ').take(2).collect::<Vec<_>>().join(" ")
}

/// The reply to the last command of `commands`, each sent on its own.
fn last_reply(commands: &[String]) -> String {
    let t0 = Instant::now();
    let (mut s, mut out) = session(SessionConfig::default(), t0);
    let mut last = String::new();
    for c in commands {
        out.output.clear();
        s.receive(format!("{c}\r\n").as_bytes(), t0);
        drain(&mut s, &mut out, &mut 0);
        last = show(&out.output);
    }
    last
}

#[test]
fn size_and_bdat_answer_the_same_number_alike() {
    let cases = [
        ("99999999999999999999", "552 5.3.4"),
        ("18446744073709551616", "552 5.3.4"),
        ("18446744073709551615", "552 5.3.4"),
        ("26214401", "552 5.3.4"),
        ("123456789012345678901", "501 5.5.4"),
        ("000000000000000000001", "501 5.5.4"),
        ("12x", "501 5.5.4"),
        ("-1", "501 5.5.4"),
    ];
    for (value, expected) in cases {
        let size = last_reply(&[
            "EHLO c.example".into(),
            format!("MAIL FROM:<a@example.org> SIZE={value}"),
        ]);
        let bdat = last_reply(&[
            "EHLO c.example".into(),
            "MAIL FROM:<a@example.org>".into(),
            "RCPT TO:<b@localhost>".into(),
            format!("BDAT {value} LAST"),
        ]);
        assert_eq!(first_code(&size), expected, "SIZE={value}: {size}");
        assert_eq!(first_code(&bdat), expected, "BDAT {value}: {bdat}");
    }
}
