//! A content stream as the ink pass reads it: each operation's operator,
//! its numbers, its first name, and where it stands in the stream's bytes.
//!
//! Operands are read with hayro-syntax's reader (the one Typst itself reads
//! PDFs with), which builds nothing the ink pass does not use: a text run's
//! strings and arrays are skipped, not decoded. The offsets let an overprint
//! rewrite splice its graphics-state operators into the stream as it is
//! ([`splice`]), instead of encoding every operation again. A stream this
//! reader leaves alone (one with an inline image, or one it cannot read) is
//! decoded with lopdf instead ([`decoded`]), and rewritten by encoding.

use std::borrow::Cow;
use std::ops::Range;

use hayro_syntax::object::{Name, Number, Object as HayroObject};
use hayro_syntax::reader::{Reader, ReaderExt};
use lopdf::content::{Content, Operation};
use lopdf::{Object, Stream};

use super::overprint::gs;

/// One operation of a content stream.
pub struct Op<'a> {
    /// The operator (`Tj`, `cs`, `re` …).
    pub operator: Cow<'a, [u8]>,
    /// The numbers among its operands, in order.
    pub nums: Vec<f64>,
    /// Its first operand, when that is a name.
    pub name: Option<Cow<'a, [u8]>>,
    /// An inline image's stream (`BI`), from the lopdf reading only.
    pub image: Option<Stream>,
}

/// The operations of a stream, and how to write it again with operators
/// added.
pub enum Ops {
    /// Read in place: each operation's bytes, operands included.
    Spans(Vec<Range<usize>>),
    /// Decoded by lopdf (an inline image, or bytes the reader refused).
    Decoded(Vec<Operation>),
    /// Neither could read it.
    Unread,
}

/// Reads `data` in place; falls back to lopdf's decoding.
pub fn read(data: &[u8]) -> (Vec<Op<'_>>, Ops) {
    if let Some((ops, spans)) = in_place(data) {
        return (ops, Ops::Spans(spans));
    }
    match Content::decode(data) {
        Ok(content) => {
            let ops = content.operations.iter().map(decoded).collect();
            (ops, Ops::Decoded(content.operations))
        }
        Err(_) => (Vec::new(), Ops::Unread),
    }
}

/// The stream with `inserts` (an operation index, whether after it rather
/// than before, and the name of a graphics state to set there) added.
pub fn rewrite(data: &[u8], ops: Ops, inserts: &[(usize, bool, &[u8])]) -> Option<Vec<u8>> {
    match ops {
        Ops::Spans(spans) => Some(splice(data, &spans, inserts)),
        Ops::Decoded(operations) => {
            let mut out = Vec::with_capacity(operations.len() + inserts.len());
            let mut next = inserts.iter().peekable();
            for (i, op) in operations.into_iter().enumerate() {
                while let Some(&&(_, _, name)) = next.peek().filter(|(at, after, _)| *at == i && !after) {
                    out.push(gs(name));
                    next.next();
                }
                out.push(op);
                while let Some(&&(_, _, name)) = next.peek().filter(|(at, after, _)| *at == i && *after) {
                    out.push(gs(name));
                    next.next();
                }
            }
            Content { operations: out }.encode().ok()
        }
        Ops::Unread => None,
    }
}

/// The stream's bytes with `/NAME gs`, on a line of its own, written
/// before or after the operations `inserts` name (in stream order).
fn splice(data: &[u8], spans: &[Range<usize>], inserts: &[(usize, bool, &[u8])]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + inserts.len() * 16);
    let mut from = 0;
    for &(at, after, name) in inserts {
        let cut = if after { spans[at].end } else { spans[at].start };
        out.extend_from_slice(&data[from..cut]);
        out.extend_from_slice(b"\n/");
        out.extend_from_slice(name);
        out.extend_from_slice(b" gs\n");
        from = cut;
    }
    out.extend_from_slice(&data[from..]);
    out
}

/// An operation lopdf decoded, as the ink pass reads it.
fn decoded(op: &Operation) -> Op<'static> {
    let nums = op.operands.iter().filter_map(|o| o.as_float().ok()).map(f64::from).collect();
    let name = op.operands.first().and_then(|o| o.as_name().ok()).map(|n| Cow::Owned(n.to_vec()));
    let image = match (op.operator.as_str(), op.operands.first()) {
        ("BI", Some(Object::Stream(image))) => Some(image.clone()),
        _ => None,
    };
    Op { operator: Cow::Owned(op.operator.as_bytes().to_vec()), nums, name, image }
}

/// The operations of `data` and their byte ranges, read in place; `None`
/// for a stream with an inline image, or one that does not read.
fn in_place(data: &[u8]) -> Option<(Vec<Op<'_>>, Vec<Range<usize>>)> {
    let mut r = Reader::new(data);
    // About one operation per dozen bytes in Typst's streams: room for them
    // at once, not regrown (and copied) a dozen times on a long page.
    let (mut ops, mut spans) = (Vec::with_capacity(data.len() / 12), Vec::with_capacity(data.len() / 12));
    let (mut nums, mut name, mut start): (Vec<f64>, Option<&[u8]>, Option<usize>) = (Vec::new(), None, None);
    let mut first = true;
    loop {
        r.skip_white_spaces_and_comments();
        if r.at_end() {
            break;
        }
        let at = r.offset();
        let byte = r.peek_byte()?;
        if matches!(byte, b'/' | b'.' | b'+' | b'-' | b'0'..=b'9' | b'[' | b'<' | b'(') {
            start.get_or_insert(at);
            match byte {
                b'/' => {
                    r.skip::<Name>(true)?;
                    let raw = &data[at + 1..r.offset()];
                    // A name with #-escapes is left to lopdf, which decodes it.
                    if raw.contains(&b'#') {
                        return None;
                    }
                    if first {
                        name = Some(raw);
                    }
                }
                b'[' | b'<' | b'(' => {
                    r.skip::<HayroObject>(true)?;
                }
                // The ink pass reads numbers as lopdf does: as f32.
                _ => nums.push(f64::from(r.read_without_context::<Number>()?.as_f32())),
            }
            first = false;
        } else {
            r.forward_while(|b| !is_white_space(b) && !is_delimiter(b));
            let operator = &data[at..r.offset()];
            if operator.is_empty() || operator == b"BI" {
                return None;
            }
            let op = Op {
                operator: Cow::Borrowed(operator),
                nums: std::mem::take(&mut nums),
                name: name.take().map(Cow::Borrowed),
                image: None,
            };
            ops.push(op);
            spans.push(start.take().unwrap_or(at)..r.offset());
            first = true;
        }
    }
    // Operands after the last operator belong to no operation.
    Some((ops, spans))
}

fn is_white_space(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'\x0C' | b'\0')
}

fn is_delimiter(b: u8) -> bool {
    matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_read_in_place_keep_their_bytes_and_numbers() {
        let data = b"q 1 0 0 1 10 20 cm /F1 9.5 Tf [(a) -20 (b)] TJ % note\n/Cs1 cs 0.5 sc Q";
        let (ops, spans) = in_place(data).expect("reads");
        let names: Vec<&[u8]> = ops.iter().map(|o| o.operator.as_ref()).collect();
        assert_eq!(names, [b"q".as_slice(), b"cm", b"Tf", b"TJ", b"cs", b"sc", b"Q"]);
        assert_eq!(ops[1].nums, [1.0, 0.0, 0.0, 1.0, 10.0, 20.0]);
        assert_eq!(ops[2].name.as_deref(), Some(b"F1".as_slice()));
        assert_eq!(ops[2].nums, [9.5]);
        assert!(ops[3].nums.is_empty(), "a text array's numbers are not operands");
        assert_eq!(&data[spans[3].clone()], b"[(a) -20 (b)] TJ");
        assert_eq!(ops[4].name.as_deref(), Some(b"Cs1".as_slice()));
    }

    #[test]
    fn a_splice_adds_states_before_and_after_operations() {
        let data = b"BT /F1 6 Tf (x) Tj ET";
        let (ops, spans) = in_place(data).expect("reads");
        assert_eq!(ops.len(), 4);
        let out = splice(data, &spans, &[(2, false, b"On"), (3, true, b"Off")]);
        let text = String::from_utf8(out.clone()).expect("text");
        assert_eq!(text, "BT /F1 6 Tf \n/On gs\n(x) Tj ET\n/Off gs\n");
        // lopdf reads the result as the same operations with the states.
        let decoded = Content::decode(&out).expect("decodes");
        let operators: Vec<&str> = decoded.operations.iter().map(|o| o.operator.as_str()).collect();
        assert_eq!(operators, ["BT", "Tf", "gs", "Tj", "ET", "gs"]);
    }

    /// Hostile streams (embedded PDF figures come from anywhere): any bytes
    /// are read to an end or refused, never looped on or panicked over.
    #[test]
    fn any_bytes_are_read_or_refused() {
        let pieces: [&[u8]; 16] = [
            b"q ", b"Q ", b"(", b")", b"[", b"]", b"<<", b">>", b"<", b"/N", b"#2", b"-", b".", b"1.5 ", b"BI ",
            b"% c\n",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..3000 {
            let mut data = Vec::new();
            for _ in 0..(seed % 24) {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                data.extend_from_slice(pieces[(seed >> 33) as usize % pieces.len()]);
                data.extend_from_slice(if seed & 1 == 0 { b"Tj " } else { b" " });
            }
            let (ops, how) = read(&data);
            if let Ops::Spans(spans) = &how {
                assert_eq!(spans.len(), ops.len());
                assert!(spans.iter().all(|s| s.start <= s.end && s.end <= data.len()));
            }
        }
    }

    #[test]
    fn an_inline_image_is_left_to_lopdf() {
        let data = b"q BI /W 1 /H 1 /CS /RGB /BPC 8 ID abc EI Q";
        assert!(in_place(data).is_none());
        let (ops, how) = read(data);
        assert!(matches!(how, Ops::Decoded(_)));
        assert!(ops.iter().any(|o| o.image.is_some()));
    }
}
