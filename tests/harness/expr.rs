//! GitHub Actions expressions (`${{ … }}`), as the runner evaluates them.
//!
//! Implemented: literals (`null`, `true`, `false`, numbers incl. `0x..`,
//! `1e3`, `-1`, `NaN`, `Infinity`, strings in `'…'` with `''` escaping);
//! operators `( ) [ ] . ! < <= > >= == != && ||` with GitHub's precedence,
//! loose equality (values of different kinds compare as numbers; strings
//! compare case-insensitively), truthiness, short-circuit `&&`/`||` that
//! return an operand; contexts; the functions `success() failure()
//! always() cancelled() contains() startsWith() endsWith() format() join()
//! toJSON() fromJSON()` (names case-insensitive).
//!
//! Refused (parse or check time): unknown functions, `hashFiles()`, the
//! object filter `.*`, unknown or unsupported contexts (`matrix`,
//! `strategy`, `jobs`), contexts not available at the location (GitHub's
//! context-availability table), unknown keys of `github`/`runner`/`job`/
//! `steps.<id>`/`needs.<job>`, step ids, jobs and inputs that are not
//! declared, status functions outside `if:`. At evaluation time: comparing
//! arrays/objects (GitHub compares them by reference) and interpolating an
//! array/object into text (use `toJSON()`).

use std::collections::BTreeSet;
use std::fmt;

// ---------------------------------------------------------------- values

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

impl Value {
    pub fn str(s: impl Into<String>) -> Self {
        Value::String(s.into())
    }

    pub fn from_json(v: &serde_json::Value) -> Self {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(a) => Value::Array(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Number(n) => {
                if n.fract() == 0.0 && n.abs() < 9.0e15 {
                    (*n as i64).into()
                } else {
                    serde_json::Number::from_f64(*n)
                        .map_or(serde_json::Value::Null, serde_json::Value::Number)
                }
            }
            Value::String(s) => s.clone().into(),
            Value::Array(a) => a.iter().map(Value::to_json).collect(),
            Value::Object(o) => o
                .iter()
                .map(|(k, v)| (k.clone(), v.to_json()))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        }
    }

    /// An object from ordered pairs.
    pub fn object<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Self {
        Value::Object(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    pub fn truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => *n != 0.0 && !n.is_nan(),
            Value::String(s) => !s.is_empty(),
            Value::Array(_) | Value::Object(_) => true,
        }
    }

    /// GitHub's number coercion: null 0, booleans 1/0, strings parsed
    /// (empty 0, invalid NaN), arrays and objects NaN.
    pub fn to_number(&self) -> f64 {
        match self {
            Value::Null => 0.0,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Number(n) => *n,
            Value::String(s) => parse_number(s.trim()).unwrap_or(f64::NAN),
            Value::Array(_) | Value::Object(_) => f64::NAN,
        }
    }

    /// The value as text, for templates and string functions. Arrays and
    /// objects have no text form the harness accepts (use `toJSON()`).
    pub fn to_text(&self) -> Result<String, EvalError> {
        match self {
            Value::Null => Ok(String::new()),
            Value::Bool(b) => Ok(b.to_string()),
            Value::Number(n) => Ok(format_number(*n)),
            Value::String(s) => Ok(s.clone()),
            Value::Array(_) | Value::Object(_) => Err(EvalError::Refused(format!(
                "an {} cannot be used as text; wrap it in toJSON()",
                self.kind()
            ))),
        }
    }

    /// Case-insensitive property lookup (contexts are case-insensitive);
    /// an exact match wins.
    pub fn get(&self, key: &str) -> Option<&Value> {
        let Value::Object(entries) = self else {
            return None;
        };
        entries
            .iter()
            .find(|(k, _)| k == key)
            .or_else(|| entries.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)))
            .map(|(_, v)| v)
    }
}

/// Numbers print like the runner's `G15`: integers without a fraction,
/// otherwise up to 15 significant digits.
pub fn format_number(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if n.fract() == 0.0 && n.abs() < 1e15 {
        return format!("{}", n as i64);
    }
    let sci = format!("{n:.14e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-5..15).contains(&exp) {
        let digits = (14 - exp).max(0) as usize;
        let fixed = format!("{n:.digits$}");
        let trimmed = if fixed.contains('.') {
            fixed.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            fixed
        };
        return trimmed;
    }
    let m = if mantissa.contains('.') {
        mantissa.trim_end_matches('0').trim_end_matches('.')
    } else {
        mantissa
    };
    format!("{m}E{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
}

fn parse_number(s: &str) -> Option<f64> {
    if s.is_empty() {
        return Some(0.0);
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let v = if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        i64::from_str_radix(hex, 16).ok()? as f64
    } else if body == "Infinity" {
        f64::INFINITY
    } else if body == "NaN" {
        f64::NAN
    } else if body
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && body
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.')
    {
        body.parse::<f64>().ok()?
    } else {
        return None;
    };
    Some(if neg { -v } else { v })
}

fn upper(s: &str) -> String {
    s.chars().flat_map(char::to_uppercase).collect()
}

/// GitHub's loose equality.
fn loose_eq(a: &Value, b: &Value) -> Result<bool, EvalError> {
    Ok(match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::String(x), Value::String(y)) => upper(x) == upper(y),
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::Array(_) | Value::Object(_), Value::Array(_) | Value::Object(_)) => {
            return Err(EvalError::Refused(
                "comparing arrays/objects: GitHub compares them by reference; compare a property or toJSON() instead".into(),
            ));
        }
        (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => false,
        _ => a.to_number() == b.to_number(),
    })
}

fn loose_cmp(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::String(x), Value::String(y)) => Some(upper(x).cmp(&upper(y))),
        (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => None,
        _ => a.to_number().partial_cmp(&b.to_number()),
    }
}

// ---------------------------------------------------------------- errors

/// Why an expression could not be evaluated. `Refused` is the harness
/// declining (a test failure); `Failed` is what the runner reports as an
/// evaluation error (it fails the step).
#[derive(Debug, Clone, PartialEq)]
pub enum EvalError {
    Refused(String),
    Failed(String),
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            EvalError::Refused(m) | EvalError::Failed(m) => f.write_str(m),
        }
    }
}

// ---------------------------------------------------------------- lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    LBrack,
    RBrack,
    Dot,
    Comma,
    Star,
    Not,
    And,
    Or,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Str(String),
    Num(f64),
    Ident(String),
}

fn lex(src: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let two = |t: Tok, toks: &mut Vec<Tok>| toks.push(t);
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => (toks.push(Tok::LParen), i += 1).1,
            ')' => (toks.push(Tok::RParen), i += 1).1,
            '[' => (toks.push(Tok::LBrack), i += 1).1,
            ']' => (toks.push(Tok::RBrack), i += 1).1,
            ',' => (toks.push(Tok::Comma), i += 1).1,
            '*' => (toks.push(Tok::Star), i += 1).1,
            '.' if !next.is_some_and(|n| n.is_ascii_digit()) || ends_operand(&toks) => {
                toks.push(Tok::Dot);
                i += 1;
            }
            '!' if next == Some('=') => (two(Tok::Ne, &mut toks), i += 2).1,
            '!' => (toks.push(Tok::Not), i += 1).1,
            '=' if next == Some('=') => (two(Tok::Eq, &mut toks), i += 2).1,
            '<' if next == Some('=') => (two(Tok::Le, &mut toks), i += 2).1,
            '<' => (toks.push(Tok::Lt), i += 1).1,
            '>' if next == Some('=') => (two(Tok::Ge, &mut toks), i += 2).1,
            '>' => (toks.push(Tok::Gt), i += 1).1,
            '&' if next == Some('&') => (two(Tok::And, &mut toks), i += 2).1,
            '|' if next == Some('|') => (two(Tok::Or, &mut toks), i += 2).1,
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(format!("unclosed string literal in `{src}`")),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            s.push(*ch);
                            i += 1;
                        }
                    }
                }
                toks.push(Tok::Str(s));
            }
            '"' => {
                return Err(format!(
                    "`{src}`: strings are written in single quotes in expressions ('text')"
                ));
            }
            c if c.is_ascii_digit() || c == '.' || (c == '-' && !ends_operand(&toks)) => {
                let start = i;
                i += 1;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric()
                        || chars[i] == '.'
                        || ((chars[i] == '+' || chars[i] == '-')
                            && matches!(chars[i - 1], 'e' | 'E')
                            && !chars[start..i].iter().any(|c| *c == 'x' || *c == 'X')))
                {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                let n = parse_number(&text)
                    .filter(|_| text != "-" && !text.trim_start_matches('-').is_empty())
                    .ok_or_else(|| format!("invalid number `{text}` in `{src}`"))?;
                toks.push(Tok::Num(n));
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '-')
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                // `NaN` and `Infinity` are number literals, not names.
                match word.as_str() {
                    "NaN" => toks.push(Tok::Num(f64::NAN)),
                    "Infinity" => toks.push(Tok::Num(f64::INFINITY)),
                    _ => toks.push(Tok::Ident(word)),
                }
            }
            other => return Err(format!("unexpected character `{other}` in `{src}`")),
        }
    }
    Ok(toks)
}

/// Whether the previous token ends an operand (so `-`/`.` continue it).
fn ends_operand(toks: &[Tok]) -> bool {
    matches!(
        toks.last(),
        Some(Tok::RParen | Tok::RBrack | Tok::Ident(_) | Tok::Str(_) | Tok::Num(_) | Tok::Star)
    )
}

// ---------------------------------------------------------------- parser

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Success,
    Failure,
    Always,
    Cancelled,
    Contains,
    StartsWith,
    EndsWith,
    Format,
    Join,
    ToJson,
    FromJson,
}

impl Func {
    fn lookup(name: &str) -> Result<Func, String> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "success" => Func::Success,
            "failure" => Func::Failure,
            "always" => Func::Always,
            "cancelled" => Func::Cancelled,
            "contains" => Func::Contains,
            "startswith" => Func::StartsWith,
            "endswith" => Func::EndsWith,
            "format" => Func::Format,
            "join" => Func::Join,
            "tojson" => Func::ToJson,
            "fromjson" => Func::FromJson,
            "hashfiles" => {
                return Err(
                    "hashFiles() is not supported by the workflow harness (no shipgate file uses it)"
                        .into(),
                );
            }
            _ => return Err(format!("unknown function `{name}()`")),
        })
    }

    fn arity(self) -> (usize, usize) {
        match self {
            Func::Success | Func::Failure | Func::Always | Func::Cancelled => (0, 0),
            Func::Contains | Func::StartsWith | Func::EndsWith => (2, 2),
            Func::Format => (1, usize::MAX),
            Func::Join => (1, 2),
            Func::ToJson | Func::FromJson => (1, 1),
        }
    }

    pub fn is_status(self) -> bool {
        matches!(
            self,
            Func::Success | Func::Failure | Func::Always | Func::Cancelled
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Ast {
    Lit(Value),
    /// A context by its lower-case name.
    Ctx(String),
    Prop(Box<Ast>, String),
    Index(Box<Ast>, Box<Ast>),
    Not(Box<Ast>),
    And(Box<Ast>, Box<Ast>),
    Or(Box<Ast>, Box<Ast>),
    Cmp(CmpOp, Box<Ast>, Box<Ast>),
    Call(Func, Vec<Ast>),
}

/// Parses one expression (the text inside `${{ }}`).
pub fn parse(src: &str) -> Result<Ast, String> {
    let toks = lex(src)?;
    if toks.is_empty() {
        return Err("empty expression".into());
    }
    let mut p = Parser {
        toks,
        pos: 0,
        src,
        depth: 0,
    };
    let ast = p.or()?;
    if p.pos != p.toks.len() {
        return Err(format!(
            "unexpected `{}` in `{src}`",
            tok_text(&p.toks[p.pos])
        ));
    }
    Ok(ast)
}

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    src: &'a str,
    depth: usize,
}

fn tok_text(t: &Tok) -> String {
    match t {
        Tok::LParen => "(".into(),
        Tok::RParen => ")".into(),
        Tok::LBrack => "[".into(),
        Tok::RBrack => "]".into(),
        Tok::Dot => ".".into(),
        Tok::Comma => ",".into(),
        Tok::Star => "*".into(),
        Tok::Not => "!".into(),
        Tok::And => "&&".into(),
        Tok::Or => "||".into(),
        Tok::Eq => "==".into(),
        Tok::Ne => "!=".into(),
        Tok::Lt => "<".into(),
        Tok::Le => "<=".into(),
        Tok::Gt => ">".into(),
        Tok::Ge => ">=".into(),
        Tok::Str(s) => format!("'{s}'"),
        Tok::Num(n) => format_number(*n),
        Tok::Ident(i) => i.clone(),
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn eat(&mut self, t: &Tok) -> bool {
        if self.peek() == Some(t) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, t: &Tok) -> Result<(), String> {
        if self.eat(t) {
            Ok(())
        } else {
            Err(format!(
                "expected `{}` in `{}`{}",
                tok_text(t),
                self.src,
                self.peek()
                    .map(|x| format!(", found `{}`", tok_text(x)))
                    .unwrap_or_else(|| ", found the end".into())
            ))
        }
    }

    fn nest(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > 50 {
            return Err(format!("`{}` nests deeper than 50 levels", self.src));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Ast, String> {
        let mut left = self.and()?;
        while self.eat(&Tok::Or) {
            let right = self.and()?;
            left = Ast::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Ast, String> {
        let mut left = self.equality()?;
        while self.eat(&Tok::And) {
            let right = self.equality()?;
            left = Ast::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn equality(&mut self) -> Result<Ast, String> {
        let mut left = self.comparison()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Eq) => CmpOp::Eq,
                Some(Tok::Ne) => CmpOp::Ne,
                _ => return Ok(left),
            };
            self.pos += 1;
            let right = self.comparison()?;
            left = Ast::Cmp(op, Box::new(left), Box::new(right));
        }
    }

    fn comparison(&mut self) -> Result<Ast, String> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Lt) => CmpOp::Lt,
                Some(Tok::Le) => CmpOp::Le,
                Some(Tok::Gt) => CmpOp::Gt,
                Some(Tok::Ge) => CmpOp::Ge,
                _ => return Ok(left),
            };
            self.pos += 1;
            let right = self.unary()?;
            left = Ast::Cmp(op, Box::new(left), Box::new(right));
        }
    }

    fn unary(&mut self) -> Result<Ast, String> {
        if self.eat(&Tok::Not) {
            self.nest()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Ast::Not(Box::new(inner)));
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Ast, String> {
        let mut node = self.primary()?;
        loop {
            if self.eat(&Tok::Dot) {
                match self.peek().cloned() {
                    Some(Tok::Ident(name)) => {
                        self.pos += 1;
                        node = Ast::Prop(Box::new(node), name);
                    }
                    Some(Tok::Star) => {
                        return Err(format!(
                            "`{}`: the object filter `.*` is not supported by the workflow harness",
                            self.src
                        ));
                    }
                    _ => {
                        return Err(format!(
                            "expected a property name after `.` in `{}`",
                            self.src
                        ));
                    }
                }
            } else if self.eat(&Tok::LBrack) {
                if self.peek() == Some(&Tok::Star) {
                    return Err(format!(
                        "`{}`: the object filter `[*]` is not supported by the workflow harness",
                        self.src
                    ));
                }
                self.nest()?;
                let index = self.or()?;
                self.depth -= 1;
                self.expect(&Tok::RBrack)?;
                node = Ast::Index(Box::new(node), Box::new(index));
            } else {
                return Ok(node);
            }
        }
    }

    fn primary(&mut self) -> Result<Ast, String> {
        let Some(tok) = self.peek().cloned() else {
            return Err(format!("`{}` ends too early", self.src));
        };
        self.pos += 1;
        match tok {
            Tok::Str(s) => Ok(Ast::Lit(Value::String(s))),
            Tok::Num(n) => Ok(Ast::Lit(Value::Number(n))),
            Tok::LParen => {
                self.nest()?;
                let inner = self.or()?;
                self.depth -= 1;
                self.expect(&Tok::RParen)?;
                Ok(inner)
            }
            Tok::Ident(name) => match name.as_str() {
                "true" => Ok(Ast::Lit(Value::Bool(true))),
                "false" => Ok(Ast::Lit(Value::Bool(false))),
                "null" => Ok(Ast::Lit(Value::Null)),
                _ if self.peek() == Some(&Tok::LParen) => {
                    self.pos += 1;
                    let func = Func::lookup(&name)?;
                    let mut args = Vec::new();
                    if !self.eat(&Tok::RParen) {
                        loop {
                            self.nest()?;
                            args.push(self.or()?);
                            self.depth -= 1;
                            if self.eat(&Tok::Comma) {
                                continue;
                            }
                            self.expect(&Tok::RParen)?;
                            break;
                        }
                    }
                    let (min, max) = func.arity();
                    if args.len() < min || args.len() > max {
                        return Err(format!(
                            "`{name}()` takes {} argument(s), got {} in `{}`",
                            if min == max {
                                min.to_string()
                            } else if max == usize::MAX {
                                format!("at least {min}")
                            } else {
                                format!("{min} to {max}")
                            },
                            args.len(),
                            self.src
                        ));
                    }
                    Ok(Ast::Call(func, args))
                }
                _ => Ok(Ast::Ctx(name.to_ascii_lowercase())),
            },
            other => Err(format!(
                "unexpected `{}` in `{}`",
                tok_text(&other),
                self.src
            )),
        }
    }
}

impl Ast {
    /// Whether a status function (`success()`, `failure()`, `always()`,
    /// `cancelled()`) appears anywhere: if not, `if:` means
    /// `success() && (…)`.
    pub fn has_status_function(&self) -> bool {
        match self {
            Ast::Lit(_) | Ast::Ctx(_) => false,
            Ast::Prop(a, _) | Ast::Not(a) => a.has_status_function(),
            Ast::Index(a, b) | Ast::And(a, b) | Ast::Or(a, b) | Ast::Cmp(_, a, b) => {
                a.has_status_function() || b.has_status_function()
            }
            Ast::Call(f, args) => f.is_status() || args.iter().any(Ast::has_status_function),
        }
    }
}

// ---------------------------------------------------------------- templates

#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Lit(String),
    Expr { src: String, ast: Ast },
}

/// A string that may contain `${{ … }}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub parts: Vec<Part>,
}

impl Template {
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            if start > 0 {
                parts.push(Part::Lit(rest[..start].to_owned()));
            }
            let body = &rest[start + 3..];
            let end = find_close(body).ok_or_else(|| {
                format!("unclosed `${{{{` in {text:?}: every `${{{{` needs a `}}}}`")
            })?;
            let src = body[..end].trim().to_owned();
            let ast = parse(&src)?;
            parts.push(Part::Expr { src, ast });
            rest = &body[end + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Lit(rest.to_owned()));
        }
        Ok(Template { parts })
    }

    pub fn exprs(&self) -> impl Iterator<Item = &Ast> {
        self.parts.iter().filter_map(|p| match p {
            Part::Expr { ast, .. } => Some(ast),
            Part::Lit(_) => None,
        })
    }

    pub fn render(&self, ctx: &Contexts) -> Result<String, EvalError> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Lit(s) => out.push_str(s),
                Part::Expr { src, ast } => {
                    let v = eval(ast, ctx)?;
                    out.push_str(&v.to_text().map_err(|e| match e {
                        EvalError::Refused(m) => {
                            EvalError::Refused(format!("${{{{ {src} }}}}: {m}"))
                        }
                        other => other,
                    })?);
                }
            }
        }
        Ok(out)
    }
}

/// The index of the `}}` closing an expression, skipping string literals.
fn find_close(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut i = 0;
    let mut in_str = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => in_str = !in_str,
            b'}' if !in_str && bytes.get(i + 1) == Some(&b'}') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// An `if:` condition: an expression with or without `${{ }}`. Text mixed
/// with `${{ }}` (always truthy on GitHub, a classic bug) is refused.
pub fn condition(text: &str) -> Result<Ast, String> {
    let t = text.trim();
    if !t.contains("${{") {
        return parse(t);
    }
    let tpl = Template::parse(t)?;
    match tpl.parts.as_slice() {
        [Part::Expr { ast, .. }] => Ok(ast.clone()),
        _ => Err(format!(
            "`if: {t}` mixes text and `${{{{ }}}}`: GitHub would treat it as a non-empty string (always true); write the whole condition as one expression"
        )),
    }
}

// ---------------------------------------------------------------- checking

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ctx {
    Github,
    Env,
    Vars,
    Job,
    Steps,
    Runner,
    Secrets,
    Needs,
    Inputs,
}

impl Ctx {
    pub fn name(self) -> &'static str {
        match self {
            Ctx::Github => "github",
            Ctx::Env => "env",
            Ctx::Vars => "vars",
            Ctx::Job => "job",
            Ctx::Steps => "steps",
            Ctx::Runner => "runner",
            Ctx::Secrets => "secrets",
            Ctx::Needs => "needs",
            Ctx::Inputs => "inputs",
        }
    }

    fn lookup(name: &str) -> Result<Ctx, String> {
        Ok(match name {
            "github" => Ctx::Github,
            "env" => Ctx::Env,
            "vars" => Ctx::Vars,
            "job" => Ctx::Job,
            "steps" => Ctx::Steps,
            "runner" => Ctx::Runner,
            "secrets" => Ctx::Secrets,
            "needs" => Ctx::Needs,
            "inputs" => Ctx::Inputs,
            "matrix" | "strategy" | "jobs" => {
                return Err(format!(
                    "the `{name}` context is not supported by the workflow harness (no shipgate workflow uses it)"
                ));
            }
            other => {
                return Err(format!(
                    "unrecognized named-value `{other}` (not a context)"
                ));
            }
        })
    }
}

/// `github.*` keys the harness provides.
pub const GITHUB_KEYS: &[&str] = &[
    "action",
    "action_path",
    "action_status",
    "actor",
    "actor_id",
    "api_url",
    "base_ref",
    "env",
    "event",
    "event_name",
    "event_path",
    "graphql_url",
    "head_ref",
    "job",
    "path",
    "ref",
    "ref_name",
    "ref_protected",
    "ref_type",
    "repository",
    "repository_id",
    "repository_owner",
    "repository_owner_id",
    "retention_days",
    "run_attempt",
    "run_id",
    "run_number",
    "server_url",
    "sha",
    "token",
    "triggering_actor",
    "workflow",
    "workflow_ref",
    "workflow_sha",
    "workspace",
];
pub const RUNNER_KEYS: &[&str] = &[
    "arch",
    "debug",
    "environment",
    "name",
    "os",
    "temp",
    "tool_cache",
];
pub const JOB_KEYS: &[&str] = &["status"];
pub const STEP_KEYS: &[&str] = &["conclusion", "outcome", "outputs"];
pub const NEEDS_KEYS: &[&str] = &["outputs", "result"];

/// What an expression may use where it stands.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// For messages: `jobs.build.steps[2].if`.
    pub location: String,
    pub contexts: Vec<Ctx>,
    pub status_functions: bool,
    /// Step ids declared in this job / composite action (lower case).
    pub steps: BTreeSet<String>,
    /// Jobs in `needs:` (lower case).
    pub needs: BTreeSet<String>,
    /// Declared inputs (lower case).
    pub inputs: BTreeSet<String>,
}

/// Checks an expression against its scope.
pub fn check(ast: &Ast, scope: &Scope) -> Result<(), String> {
    check_inner(ast, scope).map_err(|m| format!("{}: {m}", scope.location))
}

fn check_inner(ast: &Ast, scope: &Scope) -> Result<(), String> {
    match ast {
        Ast::Lit(_) => Ok(()),
        Ast::Ctx(_) | Ast::Prop(..) | Ast::Index(..) => {
            let mut chain = Vec::new();
            let root = flatten(ast, &mut chain, scope)?;
            if let Some(name) = root {
                check_path(&name, &chain, scope)?;
            }
            Ok(())
        }
        Ast::Not(a) => check_inner(a, scope),
        Ast::And(a, b) | Ast::Or(a, b) | Ast::Cmp(_, a, b) => {
            check_inner(a, scope)?;
            check_inner(b, scope)
        }
        Ast::Call(f, args) => {
            if f.is_status() && !scope.status_functions {
                return Err(format!(
                    "status functions such as {}() are only allowed in `if:` conditions",
                    format!("{f:?}").to_ascii_lowercase()
                ));
            }
            args.iter().try_for_each(|a| check_inner(a, scope))
        }
    }
}

/// Walks `a.b['c'][x]` down to its root; returns the root context name and
/// the literal segments right after it (stopping at the first dynamic one).
fn flatten(
    ast: &Ast,
    chain: &mut Vec<Option<String>>,
    scope: &Scope,
) -> Result<Option<String>, String> {
    match ast {
        Ast::Ctx(name) => Ok(Some(name.clone())),
        Ast::Prop(inner, name) => {
            let root = flatten(inner, chain, scope)?;
            chain.push(Some(name.clone()));
            Ok(root)
        }
        Ast::Index(inner, idx) => {
            check_inner(idx, scope)?;
            let root = flatten(inner, chain, scope)?;
            chain.push(match idx.as_ref() {
                Ast::Lit(Value::String(s)) => Some(s.clone()),
                _ => None,
            });
            Ok(root)
        }
        other => {
            check_inner(other, scope)?;
            Ok(None)
        }
    }
}

fn check_path(root: &str, chain: &[Option<String>], scope: &Scope) -> Result<(), String> {
    let ctx = Ctx::lookup(root)?;
    if !scope.contexts.contains(&ctx) {
        let available: Vec<&str> = scope.contexts.iter().map(|c| c.name()).collect();
        return Err(format!(
            "the `{}` context is not available here (available: {})",
            ctx.name(),
            available.join(", ")
        ));
    }
    let seg = |i: usize| {
        chain
            .get(i)
            .cloned()
            .flatten()
            .map(|s| s.to_ascii_lowercase())
    };
    let key_in = |what: &str, key: Option<String>, keys: &[&str]| -> Result<(), String> {
        match key {
            Some(k) if !keys.contains(&k.as_str()) => Err(format!(
                "`{what}.{k}` is not a key the harness provides (known: {})",
                keys.join(", ")
            )),
            _ => Ok(()),
        }
    };
    match ctx {
        Ctx::Github => key_in("github", seg(0), GITHUB_KEYS),
        Ctx::Runner => key_in("runner", seg(0), RUNNER_KEYS),
        Ctx::Job => key_in("job", seg(0), JOB_KEYS),
        Ctx::Steps => {
            if let Some(id) = seg(0) {
                if !scope.steps.contains(&id) {
                    return Err(format!(
                        "`steps.{id}`: no step has `id: {id}` here (ids: {})",
                        list(&scope.steps)
                    ));
                }
                key_in(&format!("steps.{id}"), seg(1), STEP_KEYS)?;
            }
            Ok(())
        }
        Ctx::Needs => {
            if let Some(job) = seg(0) {
                if !scope.needs.contains(&job) {
                    return Err(format!(
                        "`needs.{job}`: `{job}` is not in this job's `needs:` ({})",
                        list(&scope.needs)
                    ));
                }
                key_in(&format!("needs.{job}"), seg(1), NEEDS_KEYS)?;
            }
            Ok(())
        }
        Ctx::Inputs => {
            if let Some(input) = seg(0)
                && !scope.inputs.contains(&input)
            {
                return Err(format!(
                    "`inputs.{input}` is not a declared input (declared: {})",
                    list(&scope.inputs)
                ));
            }
            Ok(())
        }
        Ctx::Env | Ctx::Vars | Ctx::Secrets => Ok(()),
    }
}

fn list(set: &BTreeSet<String>) -> String {
    if set.is_empty() {
        "none".into()
    } else {
        set.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

/// Parses every `${{ }}` in `text` and checks it; for `if:` use
/// [`condition`] then [`check`].
pub fn check_template(text: &str, scope: &Scope) -> Result<Template, String> {
    let tpl = Template::parse(text).map_err(|m| format!("{}: {m}", scope.location))?;
    for ast in tpl.exprs() {
        check(ast, scope)?;
    }
    Ok(tpl)
}

// ---------------------------------------------------------------- evaluation

/// The outcome so far, for status functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Status {
    /// Something before failed (the job, the composite action, or an
    /// ancestor job).
    pub failed: bool,
    pub cancelled: bool,
    /// For job-level `if:`: every needed job succeeded.
    pub needs_succeeded: Option<bool>,
}

/// The contexts an evaluation sees.
#[derive(Debug, Clone, Default)]
pub struct Contexts {
    pub values: Vec<(Ctx, Value)>,
    pub status: Status,
}

impl Contexts {
    pub fn set(&mut self, ctx: Ctx, value: Value) {
        match self.values.iter_mut().find(|(c, _)| *c == ctx) {
            Some(slot) => slot.1 = value,
            None => self.values.push((ctx, value)),
        }
    }

    pub fn get(&self, ctx: Ctx) -> Option<&Value> {
        self.values.iter().find(|(c, _)| *c == ctx).map(|(_, v)| v)
    }
}

pub fn eval(ast: &Ast, ctx: &Contexts) -> Result<Value, EvalError> {
    Ok(match ast {
        Ast::Lit(v) => v.clone(),
        Ast::Ctx(name) => {
            let c = Ctx::lookup(name).map_err(EvalError::Refused)?;
            ctx.get(c).cloned().ok_or_else(|| {
                EvalError::Refused(format!("the `{name}` context is not available here"))
            })?
        }
        Ast::Prop(inner, name) => eval(inner, ctx)?.get(name).cloned().unwrap_or(Value::Null),
        Ast::Index(inner, idx) => {
            let base = eval(inner, ctx)?;
            let key = eval(idx, ctx)?;
            match (&base, &key) {
                (Value::Array(items), _) => {
                    let n = key.to_number();
                    if n.is_finite() && n >= 0.0 && n.fract() == 0.0 {
                        items.get(n as usize).cloned().unwrap_or(Value::Null)
                    } else {
                        Value::Null
                    }
                }
                (Value::Object(_), Value::String(k)) => base.get(k).cloned().unwrap_or(Value::Null),
                (Value::Object(_), other)
                    if !matches!(other, Value::Array(_) | Value::Object(_)) =>
                {
                    base.get(&other.to_text()?).cloned().unwrap_or(Value::Null)
                }
                _ => Value::Null,
            }
        }
        Ast::Not(a) => Value::Bool(!eval(a, ctx)?.truthy()),
        Ast::And(a, b) => {
            let left = eval(a, ctx)?;
            if left.truthy() { eval(b, ctx)? } else { left }
        }
        Ast::Or(a, b) => {
            let left = eval(a, ctx)?;
            if left.truthy() { left } else { eval(b, ctx)? }
        }
        Ast::Cmp(op, a, b) => {
            let (l, r) = (eval(a, ctx)?, eval(b, ctx)?);
            Value::Bool(match op {
                CmpOp::Eq => loose_eq(&l, &r)?,
                CmpOp::Ne => !loose_eq(&l, &r)?,
                CmpOp::Lt => loose_cmp(&l, &r).is_some_and(|o| o.is_lt()),
                CmpOp::Le => loose_cmp(&l, &r).is_some_and(|o| o.is_le()),
                CmpOp::Gt => loose_cmp(&l, &r).is_some_and(|o| o.is_gt()),
                CmpOp::Ge => loose_cmp(&l, &r).is_some_and(|o| o.is_ge()),
            })
        }
        Ast::Call(f, args) => call(*f, args, ctx)?,
    })
}

fn call(f: Func, args: &[Ast], ctx: &Contexts) -> Result<Value, EvalError> {
    let st = ctx.status;
    let arg = |i: usize| eval(&args[i], ctx);
    Ok(match f {
        Func::Success => Value::Bool(match st.needs_succeeded {
            Some(all) => all && !st.cancelled,
            None => !st.failed && !st.cancelled,
        }),
        Func::Failure => Value::Bool(st.failed && !st.cancelled),
        Func::Always => Value::Bool(true),
        Func::Cancelled => Value::Bool(st.cancelled),
        Func::Contains => {
            let (hay, needle) = (arg(0)?, arg(1)?);
            Value::Bool(match &hay {
                Value::Array(items) => {
                    let mut found = false;
                    for item in items {
                        if matches!(item, Value::Array(_) | Value::Object(_))
                            && matches!(needle, Value::Array(_) | Value::Object(_))
                        {
                            continue;
                        }
                        if loose_eq(item, &needle)? {
                            found = true;
                            break;
                        }
                    }
                    found
                }
                _ => upper(&hay.to_text()?).contains(&upper(&needle.to_text()?)),
            })
        }
        Func::StartsWith => {
            Value::Bool(upper(&arg(0)?.to_text()?).starts_with(&upper(&arg(1)?.to_text()?)))
        }
        Func::EndsWith => {
            Value::Bool(upper(&arg(0)?.to_text()?).ends_with(&upper(&arg(1)?.to_text()?)))
        }
        Func::Format => {
            let fmt = arg(0)?.to_text()?;
            let values = args[1..]
                .iter()
                .map(|a| eval(a, ctx)?.to_text())
                .collect::<Result<Vec<_>, _>>()?;
            Value::String(format_fn(&fmt, &values)?)
        }
        Func::Join => {
            let sep = if args.len() > 1 {
                arg(1)?.to_text()?
            } else {
                ",".into()
            };
            match arg(0)? {
                Value::Array(items) => Value::String(
                    items
                        .iter()
                        .map(Value::to_text)
                        .collect::<Result<Vec<_>, _>>()?
                        .join(&sep),
                ),
                other => Value::String(other.to_text()?),
            }
        }
        Func::ToJson => {
            Value::String(serde_json::to_string_pretty(&arg(0)?.to_json()).unwrap_or_default())
        }
        Func::FromJson => {
            let text = arg(0)?.to_text()?;
            let parsed: serde_json::Value = serde_json::from_str(text.trim()).map_err(|e| {
                EvalError::Failed(format!(
                    "fromJSON: the input is not valid JSON ({e}): {text:?}"
                ))
            })?;
            Value::from_json(&parsed)
        }
    })
}

/// `format('{0} and {{literal}}', x)`.
fn format_fn(fmt: &str, values: &[String]) -> Result<String, EvalError> {
    let invalid = || EvalError::Failed(format!("the format string is invalid: {fmt:?}"));
    let chars: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '{' if chars.get(i + 1) == Some(&'{') => {
                out.push('{');
                i += 2;
            }
            '}' if chars.get(i + 1) == Some(&'}') => {
                out.push('}');
                i += 2;
            }
            '{' => {
                let close = chars[i..]
                    .iter()
                    .position(|c| *c == '}')
                    .ok_or_else(invalid)?
                    + i;
                let digits: String = chars[i + 1..close].iter().collect();
                let n: usize = digits.parse().map_err(|_| invalid())?;
                let v = values.get(n).ok_or_else(|| {
                    EvalError::Failed(format!(
                        "format: {{{n}}} refers to argument {n}, but only {} were given",
                        values.len()
                    ))
                })?;
                out.push_str(v);
                i = close + 1;
            }
            '}' => return Err(invalid()),
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}
