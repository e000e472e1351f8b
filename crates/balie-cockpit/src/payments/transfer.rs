//! A bank transfer with a structured reference (OGM), as an EPC QR code: for when the
//! municipality's account is set (`balie-cockpit payee set`). It waits for the bank
//! statement; the clerk marks it received.

use crate::settings::Payee;
use balie_domain::{Money, StructuredReference};

/// The transfer of `amount` to `payee` with `reference` (a fresh random OGM when `None`);
/// `None` when no account is set or no randomness is to be had.
pub(super) fn transfer(
    payee: &Payee,
    amount: Money,
    reference: Option<StructuredReference>,
) -> Option<balie_pay::epc::Transfer> {
    let iban = payee.iban.clone()?;
    let reference = match reference {
        Some(r) => r,
        None => {
            let mut bytes = [0u8; 8];
            getrandom::fill(&mut bytes).ok()?;
            StructuredReference::from_random_bytes(bytes)
        }
    };
    Some(balie_pay::epc::Transfer {
        beneficiary: payee.name.clone(),
        iban,
        bic: payee.bic.clone(),
        amount,
        reference,
        note: None,
    })
}
