//! The fault matrix's rows (issue 12): each fault test prints one line in this shape, and
//! `benches/faults.sh` gathers them into the table. A row is printed before it is held to
//! its rule, so a failing run still shows what was counted.

use std::time::Duration;

/// What one fault did to payments; `None` where the row has no payment in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payments {
    /// Asked for, and then missing in the cockpit or at the provider.
    pub lost: usize,
    /// Made more than once at the provider, or recorded paid more than once.
    pub duplicated: usize,
    /// Shown paid while the provider did not say so (for the amount asked).
    pub wrongly_paid: usize,
}

/// Prints the row `fault` (tab-separated, starting with `fault-matrix`) and fails the
/// test if a payment was lost, duplicated or wrongly paid, or if nothing recovered.
#[allow(clippy::print_stdout)] // the row on stdout is what `benches/faults.sh` gathers
pub fn row(fault: &str, payments: Option<Payments>, recovered: Option<Duration>) {
    let counts = match payments {
        Some(p) => format!("{}\t{}\t{}", p.lost, p.duplicated, p.wrongly_paid),
        None => "-\t-\t-".to_owned(),
    };
    let recovery = match recovered {
        Some(d) => format!("yes\t{:.1} s", d.as_secs_f64()),
        None => "no\t-".to_owned(),
    };
    println!("fault-matrix\t{fault}\t{counts}\t{recovery}");
    if let Some(p) = payments {
        assert_eq!(
            (p.lost, p.duplicated, p.wrongly_paid),
            (0, 0, 0),
            "{fault}: payments lost, duplicated, wrongly paid"
        );
    }
    assert!(recovered.is_some(), "{fault}: not recovered");
}
