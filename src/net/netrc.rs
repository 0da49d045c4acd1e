//! The `.netrc` format (`~/.netrc`, or the file named by `NETRC`), as curl
//! and Go read it: tokens separated by any whitespace; `machine NAME` or
//! `default` starts an entry, `login` and `password` fill it, `account` is
//! skipped, `macdef NAME` skips a macro up to the next empty line, and a
//! token starting with `#` comments out the rest of its line. A token may
//! be double-quoted (`password "a b\"c"`).

/// One entry: the host it is for (`None` for `default`), login, password.
#[derive(Clone, PartialEq, Eq)]
pub struct NetrcEntry {
    pub machine: Option<String>,
    pub login: String,
    pub password: String,
}

/// Never shows the password (entries may end up in a panic message).
impl std::fmt::Debug for NetrcEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetrcEntry")
            .field("machine", &self.machine)
            .field("login", &self.login)
            .field("password", &"***")
            .finish()
    }
}

/// The entries of a netrc file, in order. Entries without a password are
/// left out: there is nothing to send. Unknown tokens are ignored, as curl
/// does, so a file written for other tools still works.
pub fn parse(text: &str) -> Vec<NetrcEntry> {
    let mut tokens = Tokens { rest: text };
    let mut entries = Vec::new();
    let mut current: Option<NetrcEntry> = None;
    let finish = |entry: Option<NetrcEntry>, entries: &mut Vec<NetrcEntry>| {
        if let Some(entry) = entry.filter(|e| !e.password.is_empty()) {
            entries.push(entry);
        }
    };
    while let Some(token) = tokens.next() {
        match token.as_str() {
            "machine" => {
                finish(current.take(), &mut entries);
                current = tokens.next().map(|name| NetrcEntry {
                    machine: Some(name),
                    login: String::new(),
                    password: String::new(),
                });
            }
            "default" => {
                finish(current.take(), &mut entries);
                current = Some(NetrcEntry {
                    machine: None,
                    login: String::new(),
                    password: String::new(),
                });
            }
            "login" | "password" => {
                let value = tokens.next().unwrap_or_default();
                if let Some(entry) = current.as_mut() {
                    if token == "login" {
                        entry.login = value;
                    } else {
                        entry.password = value;
                    }
                }
            }
            "account" => {
                tokens.next();
            }
            "macdef" => {
                finish(current.take(), &mut entries);
                tokens.skip_macro();
            }
            _ => {}
        }
    }
    finish(current, &mut entries);
    entries
}

struct Tokens<'a> {
    rest: &'a str,
}

impl Tokens<'_> {
    fn next(&mut self) -> Option<String> {
        loop {
            self.rest = self.rest.trim_start();
            if self.rest.starts_with('#') {
                let end = self.rest.find('\n').unwrap_or(self.rest.len());
                self.rest = &self.rest[end..];
                continue;
            }
            break;
        }
        if self.rest.is_empty() {
            return None;
        }
        if let Some(quoted) = self.rest.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => {
                        self.rest = &quoted[i + 1..];
                        return Some(value);
                    }
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    c => value.push(c),
                }
            }
            self.rest = "";
            return Some(value);
        }
        let end = self
            .rest
            .find(char::is_whitespace)
            .unwrap_or(self.rest.len());
        let token = self.rest[..end].to_string();
        self.rest = &self.rest[end..];
        Some(token)
    }

    /// Skips `macdef NAME` and its body, which ends at an empty line.
    fn skip_macro(&mut self) {
        match self.rest.find("\n\n") {
            Some(end) => self.rest = &self.rest[end + 2..],
            None => self.rest = "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(machine: Option<&str>, login: &str, password: &str) -> NetrcEntry {
        NetrcEntry {
            machine: machine.map(str::to_string),
            login: login.into(),
            password: password.into(),
        }
    }

    #[test]
    fn reads_machines_and_default_separated_by_any_whitespace() {
        let text = "machine go.corp.example login alice password s3cret\n\
                    machine\tother.example\n  login bob\n  password\tp2 account acct\n\
                    default login anon password guest\n";
        assert_eq!(
            parse(text),
            [
                entry(Some("go.corp.example"), "alice", "s3cret"),
                entry(Some("other.example"), "bob", "p2"),
                entry(None, "anon", "guest"),
            ]
        );
    }

    #[test]
    fn skips_macros_comments_and_entries_without_password() {
        let text = "# my netrc\nmachine a.example login x\n\
                    macdef init\ncd /pub\nmachine evil.example password leaked\n\n\
                    machine b.example login y password \"p w\\\"q\" # trailing\n";
        assert_eq!(parse(text), [entry(Some("b.example"), "y", "p w\"q")]);
    }

    #[test]
    fn odd_files_do_not_panic() {
        for text in [
            "machine",
            "login",
            "password",
            "\"unterminated",
            "macdef",
            "machine x password",
        ] {
            let _ = parse(text);
        }
        assert_eq!(parse("machine x password"), Vec::<NetrcEntry>::new());
    }

    #[test]
    fn debug_hides_the_password() {
        let text = format!("{:?}", entry(Some("h"), "u", "s3cret"));
        assert!(!text.contains("s3cret"), "{text}");
    }
}
