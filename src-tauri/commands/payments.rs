//! The payment panel's commands.

use super::{CockpitState, forward};
use balie_cockpit::CockpitError;
use balie_cockpit::catalog::ProductView;
use balie_cockpit::payments::{PaymentRequest, PaymentSetup, PaymentView};
use tauri::State;
use tauri::ipc::Channel;

/// The payment panel's providers and products.
#[tauri::command]
pub async fn payment_setup(state: State<'_, CockpitState>) -> Result<PaymentSetup, CockpitError> {
    state.ready()?.payments().setup()
}

/// Asks for a payment in the conversation in progress; the card reaches the citizen.
#[tauri::command]
pub async fn request_payment(
    state: State<'_, CockpitState>,
    request: PaymentRequest,
) -> Result<PaymentView, CockpitError> {
    state.ready()?.request_payment(&request).await
}

/// Cancels a payment that is still open.
#[tauri::command]
pub async fn cancel_payment(
    state: State<'_, CockpitState>,
    id: String,
) -> Result<PaymentView, CockpitError> {
    state.ready()?.payments().cancel(&id).await
}

/// Marks a bank transfer received (the clerk saw it on the bank statement).
#[tauri::command]
pub async fn mark_payment_received(
    state: State<'_, CockpitState>,
    id: String,
) -> Result<PaymentView, CockpitError> {
    state.ready()?.payments().mark_received(&id)
}

/// The payments of the conversation in progress.
#[tauri::command]
pub async fn conversation_payments(
    state: State<'_, CockpitState>,
) -> Result<Vec<PaymentView>, CockpitError> {
    state.ready()?.conversation_payments()
}

/// Streams every change to a payment to `on_event` until the window goes away.
#[tauri::command]
pub async fn follow_payments(
    state: State<'_, CockpitState>,
    on_event: Channel<PaymentView>,
) -> Result<(), CockpitError> {
    forward(state.ready()?.payments().subscribe(), on_event);
    Ok(())
}

/// Changes a product's price.
#[tauri::command]
pub async fn set_product_price(
    state: State<'_, CockpitState>,
    id: String,
    price: String,
) -> Result<ProductView, CockpitError> {
    state.ready()?.catalog().set_price(&id, &price)
}
