// The only module that talks to the Rust side. Views call these typed functions.
import { Channel, invoke } from "@tauri-apps/api/core";

// The IPC types are generated from the Rust side (ui/bindings/cockpit.ts).
// The front door's wire types are the relay's own (ui/bindings/protocol.ts).
import type { Appointment, Availability, ClerkStatus, Mail, Queue, QueueProduct } from "../../bindings/protocol";
import type {
  FrontDoorEvent,
  IdentityView,
  OpenedRoom,
  CaseStatus,
  PartyKind,
  PaymentStatus,
  NewCaseRequest,
  CaseSummaryView,
  CaseView,
  DossierEvent,
  ImportOutcome,
  CockpitStatus,
  ConnectionTest,
  EnrolView,
  Enrolled,
  UpdateView,
  ClerkDayView,
  DashboardView,
  Indicator,
  PeriodKind,
  PeriodRequest,
  Place,
  ReportFormat,
  ImpactImportOutcome,
  NewRegisterEntry,
  RegisterEntryView,
  Channel as ContactChannel,
  IncidentKind,
  ConversationEvent,
  DeviceChoice,
  DeviceList,
  CockpitError,
  NewConversation,
  PaymentRequest,
  PaymentSetup,
  PaymentView,
  ProductView,
  ProviderKeyView,
  ProviderName,
  Quality,
  TextDocument,
  VideoArea,
  VideoPainted,
  VideoStream,
} from "../../bindings/cockpit";

export type {
  ConnectionTest,
  EnrolView,
  Enrolled,
  ContactChannel,
  IncidentKind,
  ClerkDayView,
  DashboardView,
  Indicator,
  PeriodKind,
  PeriodRequest,
  Place,
  Appointment,
  Availability,
  ClerkStatus,
  FrontDoorEvent,
  IdentityView,
  Mail,
  OpenedRoom,
  Queue,
  QueueProduct,
  CaseStatus,
  PartyKind,
  PaymentStatus,
  NewCaseRequest,
  CaseSummaryView,
  CaseView,
  DossierEvent,
  ImportOutcome,
  CockpitStatus,
  ConversationEvent,
  DeviceChoice,
  DeviceList,
  CockpitError,
  NewConversation,
  PaymentRequest,
  PaymentSetup,
  PaymentView,
  ProductView,
  ProviderKeyView,
  ProviderName,
  Quality,
  VideoArea,
  VideoPainted,
  VideoStream,
};
// The lists the windows offer, generated from the Rust types' own lists.
export { CASE_STATUSES, PARTY_KINDS } from "../../bindings/cockpit";
export type Locale = CockpitStatus["locale"];

export function isCockpitError(value: unknown): value is CockpitError {
  return (
    typeof value === "object" &&
    value !== null &&
    "kind" in value &&
    typeof (value as { kind: unknown }).kind === "string"
  );
}

export const cockpitStatus = (): Promise<CockpitStatus> => invoke("cockpit_status");
export const enrolView = (): Promise<EnrolView> => invoke("enrol_view");
export const enrol = (relayUrl: string, code: string): Promise<Enrolled> =>
  invoke("enrol", { relayUrl, code });
export const testConnection = (): Promise<ConnectionTest> => invoke("test_connection");
export const openEnrolment = (): Promise<void> => invoke("open_enrolment");
export const checkUpdate = (): Promise<UpdateView | null> => invoke("check_update");
export const installUpdate = (): Promise<UpdateView> => invoke("install_update");
/** Creates a conversation; `onEvent` then hears what happens in its lobby and call. */
export function newConversation(onEvent: (event: ConversationEvent) => void): Promise<NewConversation> {
  const channel = new Channel<ConversationEvent>();
  channel.onmessage = onEvent;
  return invoke("new_conversation", { onEvent: channel });
}
/** The clerk's appointments from the start of today for `days` days. */
export const agenda = (days: number): Promise<Appointment[]> => invoke("agenda", { days });
export const availability = (): Promise<Availability> => invoke("availability");
export const setAvailability = (value: Availability): Promise<void> =>
  invoke("set_availability", { availability: value });
export const walkInQueue = (): Promise<Queue> => invoke("walk_in_queue");
export const setClerkStatus = (status: ClerkStatus): Promise<void> => invoke("set_clerk_status", { status });
/** Opens an appointment: its case in the dossier window, its room's events to `onEvent`. */
export function openAppointment(id: string, onEvent: (event: ConversationEvent) => void): Promise<OpenedRoom> {
  const channel = new Channel<ConversationEvent>();
  channel.onmessage = onEvent;
  return invoke("open_appointment", { id, onEvent: channel });
}
/** *Volgende burger*: `null` when nobody waits. */
export function takeNextCitizen(
  productId: string | null,
  onEvent: (event: ConversationEvent) => void,
): Promise<OpenedRoom | null> {
  const channel = new Channel<ConversationEvent>();
  channel.onmessage = onEvent;
  return invoke("take_next_citizen", { productId, onEvent: channel });
}
/** Knocks in rooms the cockpit has not opened, and queue changes, as they happen. */
export function followFrontDoor(onEvent: (event: FrontDoorEvent) => void): Promise<void> {
  const channel = new Channel<FrontDoorEvent>();
  channel.onmessage = onEvent;
  return invoke("follow_front_door", { onEvent: channel });
}
export const admit = (knockId: string): Promise<void> => invoke("admit", { knockId });
export const decline = (knockId: string): Promise<void> => invoke("decline", { knockId });
export const openJoinLink = (url: string): Promise<void> => invoke("open_join_link", { url });
export const swapScreens = (): Promise<void> => invoke("swap_screens");
export const sendChat = (text: string): Promise<string> => invoke("send_chat", { text });
export const setMicMuted = (muted: boolean): Promise<void> => invoke("set_mic_muted", { muted });
export const setCameraOff = (off: boolean): Promise<void> => invoke("set_camera_off", { off });
export const setBackgroundBlur = (on: boolean): Promise<void> => invoke("set_background_blur", { on });
export const endConversation = (): Promise<void> => invoke("end_conversation");
/** The loopback WebSocket address that streams `stream`'s pictures. */
export const frameUrl = (stream: VideoStream): Promise<string> => invoke("frame_url", { stream });
/**
 * Asks the host to draw the call's pictures natively at these areas (`null` hides one);
 * `fresh` when a call starts (its paint counts start anew). `false`: it cannot here, and
 * the page draws them itself.
 */
export const videoAreas = (remote: VideoArea | null, own: VideoArea | null, fresh = false): Promise<boolean> =>
  invoke("video_areas", { remote, own, fresh });
/** What the host's native surfaces painted since the pictures were last shown. */
export const videoPainted = (): Promise<VideoPainted> => invoke("video_painted");
export const listDevices = (): Promise<DeviceList> => invoke("list_devices");
export const chooseDevices = (choice: DeviceChoice): Promise<void> => invoke("choose_devices", { choice });
export const paymentSetup = (): Promise<PaymentSetup> => invoke("payment_setup");
export const requestPayment = (request: PaymentRequest): Promise<PaymentView> =>
  invoke("request_payment", { request });
export const cancelPayment = (id: string): Promise<PaymentView> => invoke("cancel_payment", { id });
export const markPaymentReceived = (id: string): Promise<PaymentView> =>
  invoke("mark_payment_received", { id });
export const conversationPayments = (): Promise<PaymentView[]> => invoke("conversation_payments");
/** Every change to any payment, as it happens. */
export const impactDashboard = (request: PeriodRequest): Promise<DashboardView> =>
  invoke("impact_dashboard", { request });
export const impactReport = (request: PeriodRequest, format: ReportFormat): Promise<string> =>
  invoke("impact_report", { request, format });
export const impactImport = (
  kind: "figures" | "complaints",
  name: string,
  text: string,
): Promise<ImpactImportOutcome> => invoke("impact_import", { kind, name, text });
export const impactAddRegisterEntry = (entry: NewRegisterEntry): Promise<number> =>
  invoke("impact_add_register_entry", { entry });
export const impactRegister = (): Promise<RegisterEntryView[]> => invoke("impact_register");
export const impactRemoveRegisterEntry = (id: number): Promise<void> =>
  invoke("impact_remove_register_entry", { id });
export const impactClerkDay = (): Promise<ClerkDayView> => invoke("impact_clerk_day");
export const impactSetPlace = (place: Place): Promise<void> => invoke("impact_set_place", { place });
export const impactClerkSurveyDue = (roomId: string): Promise<boolean> =>
  invoke("impact_clerk_survey_due", { roomId });
export const impactAnswerClerkSurvey = (roomId: string, score: number): Promise<void> =>
  invoke("impact_answer_clerk_survey", { roomId, score });
export const identityView = (): Promise<IdentityView> => invoke("identity_view");
export const askIdentity = (): Promise<IdentityView> => invoke("ask_identity");
export const completePartyFromIdentity = (): Promise<IdentityView> => invoke("complete_party_from_identity");
export function followIdentity(onChange: (view: IdentityView) => void): Promise<void> {
  const channel = new Channel<IdentityView>();
  channel.onmessage = onChange;
  return invoke("follow_identity", { onEvent: channel });
}
export function followPayments(onChange: (view: PaymentView) => void): Promise<void> {
  const channel = new Channel<PaymentView>();
  channel.onmessage = onChange;
  return invoke("follow_payments", { onEvent: channel });
}
export const setProductPrice = (id: string, price: string): Promise<ProductView> =>
  invoke("set_product_price", { id, price });
export const providerKeys = (): Promise<ProviderKeyView[]> => invoke("provider_keys");
export const setProviderKey = (provider: ProviderName, key: string): Promise<ProviderKeyView> =>
  invoke("set_provider_key", { provider, key });
export const testProviderKey = (provider: ProviderName): Promise<void> =>
  invoke("test_provider_key", { provider });
export const removeProviderKey = (provider: ProviderName): Promise<void> =>
  invoke("remove_provider_key", { provider });
export const searchCases = (text: string): Promise<CaseSummaryView[]> => invoke("search_cases", { text });
export const openCase = (id: number): Promise<CaseView> => invoke("open_case", { id });
export const refreshCase = (id: number): Promise<CaseView> => invoke("refresh_case", { id });
export const addCaseNote = (id: number, body: string): Promise<void> => invoke("add_case_note", { id, body });
export const setCaseStatus = (id: number, status: CaseStatus): Promise<void> =>
  invoke("set_case_status", { id, status });
export const markCaseHandled = (id: number): Promise<void> => invoke("mark_case_handled", { id });
export const linkCaseToCall = (id: number): Promise<void> => invoke("link_case_to_call", { id });
export const requestCasePayment = (id: number, request: PaymentRequest): Promise<PaymentView> =>
  invoke("request_case_payment", { id, request });
/** What the dossier window should show, as it happens. */
export function followDossier(onEvent: (event: DossierEvent) => void): Promise<void> {
  const channel = new Channel<DossierEvent>();
  channel.onmessage = onEvent;
  return invoke("follow_dossier", { onEvent: channel });
}
export const importCases = (format: "csv" | "json", text: string): Promise<ImportOutcome> =>
  invoke("import_cases", { format, text });
export const exportCase = (id: number, format: "pdf" | "json"): Promise<string> =>
  invoke("export_case", { id, format });
export const createCase = (request: NewCaseRequest): Promise<number> => invoke("create_case", { request });
/** Sends the file's bytes as the raw body (no JSON number arrays for megabytes). */
export const attachDocument = (id: number, name: string, bytes: Uint8Array): Promise<number> =>
  invoke("attach_document", bytes, {
    headers: { "x-case-id": String(id), "x-file-name": encodeURIComponent(name) },
  });
/** Opens a PDF or picture with the system's viewer (`null`), or gives a text document's text
 * to show in the window: text is never handed to the system, which would sniff HTML in it. */
export const openDocument = (id: number, documentId: number): Promise<TextDocument | null> =>
  invoke("open_document", { id, documentId });
