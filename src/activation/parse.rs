//! `FromStr` and `Display` of [`Activation`], driven by the registry.
//!
//! Grammar: `name` or `name(arg, ..)`, each `arg` a value (positional, in the registry's
//! order) or `key=value`; names and keys ignore case and surrounding spaces. Values are
//! numbers as Rust's `f64` parser reads them (`0.2`, `-2`, `1e-3`, `inf`), or for GELU's
//! `approximate` a quoted or bare `none`/`tanh` (or Keras's `True`/`False`). PyTorch's
//! `inplace=True|False` is accepted and ignored (the caller picks `forward` or
//! `forward_inplace`).

use super::Activation;
use crate::registry::{self, Spec};
use crate::Error;
#[cfg(not(feature = "std"))]
use alloc::{
    format,
    string::{String, ToString},
};
use core::fmt;
use core::str::FromStr;

impl FromStr for Activation {
    type Err = Error;

    /// Parses PyTorch, Keras and Hugging Face names (see [`registry::ALL`] for every name
    /// and alias). A bare name gets PyTorch's defaults; where Keras's differ (its
    /// `leaky_relu` slope is 0.2), give the parameter: `leaky_relu(0.2)`. Keras 3's
    /// `hard_sigmoid` is PyTorch's (`clamp(x + 3, 0, 6) / 6`), which is what this crate
    /// computes; Keras 2's `0.2 x + 0.5` is not available. Hugging Face's `gelu_new` and
    /// `gelu_pytorch_tanh` are the tanh form exactly; its `gelu_fast` is the same formula with
    /// `sqrt(2/pi)` written as 0.7978845608 (a relative change of 3.6e-12 in the constant,
    /// below f32's resolution), and maps to the tanh form too. `quick_gelu`
    /// (`x sigmoid(1.702 x)`) is its own entry, not a GELU form. SiLU with a `beta`
    /// (TensorFlow's `silu(features, beta)`) is `SiLUBeta(beta=..)` (`silu_beta`); a bare
    /// `swish` or `silu` is SiLU. RReLU parses to its evaluation mode.
    /// A bare `softplus` gets PyTorch's `threshold = 20` (Keras has none: above `x = 20` the
    /// two differ by `e^-x`, below f32's resolution but not f64's).
    ///
    /// # Errors
    /// [`Error::UnknownName`] (listing every accepted name), [`Error::UnknownParameter`],
    /// [`Error::BadParameter`] (with the valid range), [`Error::Syntax`].
    ///
    /// ```
    /// use simd_activations::Activation;
    /// let a: Activation = "Softplus(beta=2, threshold=20)".parse().unwrap();
    /// assert_eq!(a, Activation::Softplus { beta: 2.0, threshold: 20.0 });
    /// assert_eq!("gelu_new".parse::<Activation>().unwrap(), Activation::GeluTanh);
    /// assert_eq!("GELU(approximate='tanh')".parse::<Activation>().unwrap(), Activation::GeluTanh);
    /// assert_eq!("swish".parse::<Activation>().unwrap(), Activation::Silu);
    /// assert_eq!("quick_gelu".parse::<Activation>().unwrap(), Activation::QuickGelu);
    /// assert_eq!("SiLUBeta(beta=1.5)".parse::<Activation>().unwrap(), Activation::SiluBeta { beta: 1.5 });
    /// ```
    fn from_str(s: &str) -> Result<Self, Error> {
        parse(s)
    }
}

impl fmt::Display for Activation {
    /// PyTorch's module syntax with every parameter named, floats in Rust's shortest
    /// round-trip form, so the string parses back to the same value bit for bit (for valid
    /// parameters: `FromStr` rejects the others, e.g. a NaN slope).
    ///
    /// ```
    /// use simd_activations::Activation;
    /// let a = Activation::Hardtanh { min_val: -2.0, max_val: 0.1 };
    /// assert_eq!(a.to_string(), "Hardtanh(min_val=-2.0, max_val=0.1)");
    /// assert_eq!(Activation::GeluTanh.to_string(), "GELU(approximate='tanh')");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let spec = self.spec();
        f.write_str(spec.name)?;
        if spec.params.is_empty() {
            return Ok(());
        }
        f.write_str("(")?;
        for (k, (name, v)) in self.params().into_iter().enumerate() {
            let sep = if k == 0 { "" } else { ", " };
            write!(f, "{sep}{name}={v:?}")?;
        }
        f.write_str(")")
    }
}

/// GELU's forms by their `approximate` value.
fn approximate(input: &str, value: &str) -> Result<Activation, Error> {
    let v = value
        .trim_matches(|c| c == '\'' || c == '"')
        .to_ascii_lowercase();
    match v.as_str() {
        "none" | "false" => Ok(Activation::Gelu),
        "tanh" | "true" => Ok(Activation::GeluTanh),
        _ => Err(Error::BadParameter {
            func: "Activation::from_str",
            activation: "GELU",
            param: "approximate",
            value: format!("{value} (in {input:?})"),
            valid: "'none' or 'tanh' (Keras: False or True)",
        }),
    }
}

fn syntax(input: &str, message: impl Into<String>) -> Error {
    Error::Syntax {
        input: input.to_string(),
        message: message.into(),
    }
}

fn parse(input: &str) -> Result<Activation, Error> {
    let s = input.trim();
    let (name, args) = match s.find('(') {
        Some(open) => {
            let Some(inner) = s[open + 1..].strip_suffix(')') else {
                return Err(syntax(
                    input,
                    "expected `name(args)` with a closing `)` at the end",
                ));
            };
            (s[..open].trim(), Some(inner))
        }
        None => (s, None),
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(syntax(
            input,
            "a name is letters, digits and `_`, optionally followed by `(args)`",
        ));
    }
    let spec = registry::find(name).ok_or_else(|| Error::UnknownName {
        what: "Activation",
        name: name.to_string(),
        accepted: registry::accepted_names(),
    })?;
    let index = registry::ALL
        .iter()
        .position(|s| core::ptr::eq(s, spec))
        .expect("the spec comes from the registry");
    let mut base = Activation::ALL[index];
    let mut values = base.values();
    let mut given = [false; 2];
    let mut positional = 0;
    let mut seen_keyword = false;
    let is_gelu = matches!(base, Activation::Gelu | Activation::GeluTanh);
    let mut approximate_given = false;
    let args = args.map(str::trim).unwrap_or("");
    for arg in args.split(',').filter(|_| !args.is_empty()) {
        let arg = arg.trim();
        if arg.is_empty() {
            return Err(syntax(input, "empty argument"));
        }
        let (key, value) = match arg.split_once('=') {
            Some((k, v)) => (Some(k.trim().to_ascii_lowercase()), v.trim()),
            None => (None, arg),
        };
        let slot = match &key {
            Some(k) if k == "inplace" => {
                if !["true", "false"].contains(&value.to_ascii_lowercase().as_str()) {
                    return Err(syntax(input, "inplace must be True or False"));
                }
                seen_keyword = true;
                continue;
            }
            Some(k) if is_gelu && k == "approximate" && !approximate_given => {
                approximate_given = true;
                base = approximate(input, value)?;
                seen_keyword = true;
                continue;
            }
            Some(k) => {
                seen_keyword = true;
                let found = spec
                    .params
                    .iter()
                    .position(|p| p.name == k || p.keys.contains(&k.as_str()));
                match found {
                    Some(i) if !given[i] => i,
                    _ => return Err(unknown_param(spec, k)),
                }
            }
            None if seen_keyword => {
                return Err(syntax(
                    input,
                    "a positional argument after a keyword argument",
                ))
            }
            None if is_gelu && positional == 0 && !approximate_given => {
                approximate_given = true;
                positional += 1;
                base = approximate(input, value)?;
                continue;
            }
            None => {
                if positional >= spec.params.len() {
                    return Err(syntax(
                        input,
                        format!(
                            "{} takes {} parameter(s), got more",
                            spec.name,
                            spec.params.len()
                        ),
                    ));
                }
                positional += 1;
                positional - 1
            }
        };
        let param = &spec.params[slot];
        let v: f64 = value.parse().map_err(|_| Error::BadParameter {
            func: "Activation::from_str",
            activation: spec.name,
            param: param.name,
            value: value.to_string(),
            valid: param.domain.describe(),
        })?;
        given[slot] = true;
        values[slot] = v;
    }
    if spec.function == "gelu_tanh" && base == Activation::Gelu {
        // `gelu_new(approximate='none')`: the name already chose the tanh form.
        return Err(Error::BadParameter {
            func: "Activation::from_str",
            activation: spec.name,
            param: "approximate",
            value: format!("'none' (in {input:?})"),
            valid: "'tanh' for this name, which is the tanh form (use GELU for 'none')",
        });
    }
    let parsed = if is_gelu {
        base
    } else {
        Activation::with_values(index, values)
    };
    parsed
        .checked_params::<f64>("Activation::from_str")
        .map(|_| parsed)
}

fn unknown_param(spec: &Spec, key: &str) -> Error {
    Error::UnknownParameter {
        activation: spec.name,
        param: key.to_string(),
        accepted: spec
            .params
            .iter()
            .flat_map(|p| core::iter::once(p.name).chain(p.keys.iter().copied()))
            .chain(if spec.function.starts_with("gelu") {
                Some("approximate")
            } else {
                None
            })
            .chain(Some("inplace"))
            .collect(),
    }
}

#[cfg(feature = "serde")]
mod serde_impl {
    use super::Activation;
    use core::fmt;

    /// As the string [`Display`](fmt::Display) writes, e.g. `"ELU(alpha=0.5)"`.
    impl serde::Serialize for Activation {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_str(self)
        }
    }

    /// From any string [`FromStr`](core::str::FromStr) accepts.
    impl<'de> serde::Deserialize<'de> for Activation {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl serde::de::Visitor<'_> for V {
                type Value = Activation;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an activation name such as \"relu\" or \"ELU(alpha=0.5)\"")
                }
                fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Activation, E> {
                    v.parse().map_err(E::custom)
                }
            }
            d.deserialize_str(V)
        }
    }
}
