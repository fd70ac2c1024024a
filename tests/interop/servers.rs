//! The real servers, started by hand (no systemd), each bound to one loopback address and port,
//! in its own process group, stopped with it when dropped.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::process::{capped, line_buffered, Proc, SERVER_CAP};

/// How long a server may take to listen (they take well under a second).
const READY_WITHIN: Duration = Duration::from_secs(20);

/// One running server, stopped when dropped.
pub struct Server {
    _proc: Proc,
}

/// xrdp 0.9 from the packaged `xrdp.ini`, with `settings` replacing (or added to) its
/// `[Globals]` keys, `fork=false` (one process: per-connection children would outlive a kill of
/// the parent), its log in `dir`, no syslog. Run `--nodaemon`: no pid file, no sesman (xrdp
/// draws its own login screen; sesman is only needed after the connection is active).
pub fn xrdp(
    xrdp: &Path,
    dir: &Path,
    label: &'static str,
    addr: SocketAddr,
    settings: &[(&str, String)],
) -> Server {
    let packaged = std::fs::read_to_string(crate::prereq::XRDP_INI).expect("read xrdp.ini");
    let listen = match addr {
        SocketAddr::V4(a) => format!("tcp://{}:{}", a.ip(), a.port()),
        SocketAddr::V6(a) => format!("tcp6://{{{}}}:{}", a.ip(), a.port()),
    };
    let log = dir.join(format!("{label}.log"));
    let mut globals = vec![("port", listen), ("fork", "false".to_string())];
    globals.extend(settings.iter().map(|(k, v)| (*k, v.clone())));
    let logging = [
        ("LogFile", log.display().to_string()),
        ("EnableSyslog", "false".to_string()),
    ];
    let ini = dir.join(format!("{label}.ini"));
    let text = with_keys(
        &with_keys(&packaged, "Globals", &globals),
        "Logging",
        &logging,
    );
    std::fs::write(&ini, text).expect("write an xrdp.ini");

    let mut cmd = capped(xrdp, SERVER_CAP);
    cmd.arg("--nodaemon").arg("--config").arg(&ini);
    let out = dir.join(format!("{label}.out"));
    let mut proc = Proc::spawn(label, cmd, Stdio::null(), &out, &out);
    proc.wait_listening(addr, READY_WITHIN);
    Server { _proc: proc }
}

/// `ini` with `keys` set in `[section]`: each key's first line there replaced, the rest added
/// right after the section header. Other sections (xrdp's session sections also have `port=`)
/// are left alone.
fn with_keys(ini: &str, section: &str, keys: &[(&str, String)]) -> String {
    let header = format!("[{section}]");
    let mut out = Vec::new();
    let mut inside = false;
    let mut done = vec![false; keys.len()];
    for line in ini.lines() {
        if line.starts_with('[') {
            inside = line.trim() == header;
            out.push(line.to_string());
            if inside {
                out.push(String::new()); // placeholder for the keys the section lacks
            }
            continue;
        }
        let key = line.split_once('=').map(|(k, _)| k.trim());
        match keys.iter().position(|(k, _)| inside && Some(*k) == key) {
            Some(i) if !done[i] => {
                out.push(format!("{}={}", keys[i].0, keys[i].1));
                done[i] = true;
            }
            _ => out.push(line.to_string()),
        }
    }
    let header_at = out
        .iter()
        .position(|l| l.trim() == header)
        .unwrap_or_else(|| panic!("xrdp.ini has no {header} section"));
    let added: Vec<String> = keys
        .iter()
        .zip(&done)
        .filter(|(_, done)| !**done)
        .map(|((k, v), _)| format!("{k}={v}"))
        .collect();
    out[header_at + 1] = added.join("\n");
    out.join("\n") + "\n"
}

/// freerdp-shadow-cli 2.11 shadowing `display`, serving `cert` and `key` (it has no option for
/// them: it reads `$XDG_CONFIG_HOME/freerdp/shadow/shadow.crt` and `shadow.key`).
#[allow(clippy::too_many_arguments)]
pub fn shadow(
    shadow: &Path,
    dir: &Path,
    display: &str,
    label: &'static str,
    addr: SocketAddr,
    cert: &Path,
    key: &Path,
    args: &[String],
) -> Server {
    let config = dir.join(format!("{label}-config"));
    let certs = config.join("freerdp/shadow");
    std::fs::create_dir_all(&certs).expect("shadow config directory");
    std::fs::copy(cert, certs.join("shadow.crt")).expect("install shadow.crt");
    std::fs::copy(key, certs.join("shadow.key")).expect("install shadow.key");

    let mut cmd = line_buffered(shadow, SERVER_CAP);
    cmd.arg(format!("/bind-address:{}", addr.ip()))
        .arg(format!("/port:{}", addr.port()))
        .args(args)
        .env("HOME", &config)
        .env("XDG_CONFIG_HOME", &config)
        .env("DISPLAY", display)
        .env("WLOG_LEVEL", "INFO");
    let out = dir.join(format!("{label}.out"));
    let mut proc = Proc::spawn(label, cmd, Stdio::null(), &out, &out);
    proc.wait_listening(addr, READY_WITHIN);
    Server { _proc: proc }
}

/// weston 10 with its RDP backend, headless, with kiosk-shell: with the default desktop-shell
/// weston quits after a few RDP connections ("invalid global wl_seat").
pub fn weston(
    weston: &Path,
    dir: &Path,
    label: &'static str,
    addr: SocketAddr,
    args: &[String],
) -> Server {
    let runtime = dir.join(format!("{label}-runtime"));
    std::fs::create_dir_all(&runtime).expect("weston runtime directory");
    set_mode_700(&runtime);
    let mut cmd = line_buffered(weston, SERVER_CAP);
    cmd.args([
        "--backend=rdp-backend.so",
        "--shell=kiosk-shell.so",
        "--no-config",
    ])
    .arg(format!("--socket=wl-{label}"))
    .arg(format!("--address={}", addr.ip()))
    .arg(format!("--port={}", addr.port()))
    .args(args)
    .env("XDG_RUNTIME_DIR", &runtime);
    let out = dir.join(format!("{label}.out"));
    let mut proc = Proc::spawn(label, cmd, Stdio::null(), &out, &out);
    proc.wait_listening(addr, READY_WITHIN);
    Server { _proc: proc }
}

fn set_mode_700(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .expect("chmod 700 the runtime directory");
}

/// A SAM file with the user `test`, password `test`, for NLA (`winpr-hash` makes the NT hash).
pub fn sam_file(winpr_hash: &Path, dir: &Path) -> PathBuf {
    let out = std::process::Command::new(winpr_hash)
        .args(["-u", "test", "-p", "test", "-f", "sam"])
        .output()
        .expect("run winpr-hash");
    assert!(out.status.success(), "winpr-hash failed: {:?}", out);
    let path = dir.join("shadow.sam");
    std::fs::write(&path, &out.stdout).expect("write the SAM file");
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_keys_are_replaced_in_their_section_only_and_missing_ones_added() {
        let ini = "[Globals]\nport=3389\n; note\nfork=true\n[Xorg]\nport=-1\n";
        let set = [
            ("port", "tcp://127.0.0.1:23601".to_string()),
            ("crypt_level", "none".to_string()),
        ];
        assert_eq!(
            with_keys(ini, "Globals", &set),
            "[Globals]\ncrypt_level=none\nport=tcp://127.0.0.1:23601\n; note\nfork=true\n\
             [Xorg]\nport=-1\n"
        );
    }
}
