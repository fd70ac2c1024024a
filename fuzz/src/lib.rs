//! What the fuzz targets share: a model of the probe's framed reader (`wire::Framed`), which
//! asks a length hint how many bytes make the next message and hands exactly those to a
//! decoder (bytes that came past the message are kept for the next read). The targets check
//! that the hint and the decoder agree on where a message ends.

use rdpsweep_codec::{CodecError, FrameSize, PduHint};

/// What a framed reader takes off a stream that delivers `input` and then closes.
#[derive(Debug, PartialEq, Eq)]
pub enum Framing<'a> {
    /// One whole message, as the hint delimits it (what follows it is left for the next read).
    Frame(&'a [u8]),
    /// The stream ends before the message does.
    Cut,
    /// The hint refuses the bytes: they do not start such a message.
    Refused(CodecError),
}

/// Delimits one message of `input` as the probe's reader does when a server trickles its
/// answer one byte per read (the hardest case), asking `hint` after every byte, and checks the
/// hint's answers on the way: every byte a `More` says is missing belongs to the message, and
/// once it knows the length it keeps saying the same. Panics (a finding) when it does not.
pub fn read_frame<'a>(hint: &impl PduHint, input: &'a [u8]) -> Framing<'a> {
    let mut answers = Vec::new();
    let mut have = 0;
    let verdict = loop {
        let answer = hint.frame_size(input.get(..have).unwrap_or(input));
        answers.push((have, answer.clone()));
        match answer {
            Err(error) => break Err(error),
            Ok(FrameSize::Whole(len)) => break Ok(len),
            Ok(FrameSize::More(0)) => panic!("hint asks for 0 more bytes after {have}"),
            Ok(FrameSize::More(_)) if have == input.len() => return Framing::Cut,
            // One byte at a time: the answer at every prefix length is checked.
            Ok(FrameSize::More(_)) => have += 1,
        }
    };
    // Every `More(n)` said that n more bytes belong to the message: none may lie past its end.
    if let Ok(len) = verdict {
        for (at, answer) in &answers {
            if let Ok(FrameSize::More(n)) = answer {
                assert!(
                    at + n <= len,
                    "hint asked for {n} bytes after {at}, past the {len}-byte message"
                );
            }
        }
    }
    // With more bytes the hint must say the same (up to 16 more: no hint reads further).
    let longest = input.len().min(have + 16);
    for more in have + 1..=longest {
        let again = hint.frame_size(&input[..more]);
        let same = match (&verdict, &again) {
            (Ok(len), Ok(FrameSize::Whole(again))) => len == again,
            (Err(error), Err(again)) => error == again,
            _ => false,
        };
        assert!(
            same,
            "hint said {verdict:?} after {have} bytes, {again:?} after {more}"
        );
    }
    match verdict {
        Ok(len) if len <= input.len() => Framing::Frame(&input[..len]),
        Ok(_) => Framing::Cut,
        Err(error) => Framing::Refused(error),
    }
}
