//! The `serde` feature: `Activation` serializes as the string its `Display` writes and
//! deserializes from any string its `FromStr` accepts (`cargo test --features serde`).
#![cfg(feature = "serde")]

use simd_activations::Activation;

#[test]
fn activation_is_a_string() {
    for a in Activation::ALL.into_iter().chain([
        Activation::LeakyRelu { slope: 0.2 },
        Activation::Softplus {
            beta: 2.0,
            threshold: 0.1 + 0.2,
        },
    ]) {
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, format!("\"{a}\""));
        let back: Activation = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
    }
    let a: Vec<Activation> = serde_json::from_str(r#"["gelu_new", "leaky_relu(0.2)"]"#).unwrap();
    assert_eq!(
        a,
        [Activation::GeluTanh, Activation::LeakyRelu { slope: 0.2 }]
    );
    let e = serde_json::from_str::<Activation>(r#""no_such_activation""#).unwrap_err();
    assert!(e.to_string().contains("unknown Activation name"), "{e}");
    assert!(serde_json::from_str::<Activation>("1").is_err());
}
