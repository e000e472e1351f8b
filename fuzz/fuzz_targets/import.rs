//! Case imports as IT hands them to the dossier window, CSV or JSON: every file is either
//! taken in full or refused with its rows' problems named; nothing panics.
#![no_main]

use balie_cockpit::cases::ImportFormat;
use balie_cockpit::cases::import::checked_rows;
use balie_domain::Locale;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let products = ["feestzaal".to_owned(), "verkeersborden".to_owned()];
    for format in [ImportFormat::Csv, ImportFormat::Json] {
        if let Err(errors) = checked_rows(Locale::Nl, format, bytes, &products) {
            assert!(!errors.is_empty(), "a refusal names its problems");
        }
    }
});
