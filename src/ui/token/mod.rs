//! The Hub token, for gated and private datasets: typed once per tab and kept in
//! `sessionStorage` only — never in the address, in storage that outlives the tab, in a
//! log or an export. The worker gets it in a message and sends it to the Hub's own origin
//! only.

use leptos::prelude::*;

use crate::engine::dataset::hub::{self, Token};
use crate::protocol::Request;
use crate::ui::client;

/// Where the token is kept for this tab.
const KEY: &str = "gallery.hub-token";

/// Where tests point the gallery at a stand-in of the Hub (`localStorage`); honoured only
/// when the page and the stand-in are both on this computer.
const HUB_STANDIN_KEY: &str = "gallery.hub-standin";

/// Bumped when the token changes: the open dataset is opened again with it.
#[derive(Clone, Copy)]
pub struct TokenEpoch(pub RwSignal<u64>);

/// The Hub this page talks to: huggingface.co, or a stand-in on this computer.
fn hub_base() -> String {
    let page = window().location().href().unwrap_or_default();
    let standin = window().local_storage().ok().flatten().and_then(|s| s.get_item(HUB_STANDIN_KEY).ok().flatten());
    hub::choose_hub(&page, standin.as_deref()).base().to_string()
}

fn stored() -> Option<Token> {
    let storage = window().session_storage().ok().flatten()?;
    Token::new(&storage.get_item(KEY).ok().flatten()?)
}

fn store(token: Option<&str>) {
    let Some(storage) = window().session_storage().ok().flatten() else { return };
    let _ = match token {
        Some(t) => storage.set_item(KEY, t),
        None => storage.remove_item(KEY),
    };
}

/// Tell every worker (this one and those started later) which Hub to talk to, with the
/// token of this tab; provide the epoch the dataset reopens on.
pub fn provide() {
    client::stand("hub", Request::Hub { base: hub_base(), token: stored() });
    provide_context(TokenEpoch(RwSignal::new(0)));
}

fn apply(epoch: TokenEpoch, token: Option<&str>) {
    store(token);
    client::stand("hub", Request::Hub { base: hub_base(), token: token.and_then(Token::new) });
    epoch.0.update(|e| *e += 1);
}

/// The top bar's token control: a button that opens a small form.
#[component]
pub fn TokenBox() -> impl IntoView {
    let has = RwSignal::new(stored().is_some());
    let open = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let epoch = expect_context::<TokenEpoch>();
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = draft.get_untracked();
        if Token::new(&text).is_none() {
            return;
        }
        apply(epoch, Some(text.trim()));
        draft.set(String::new());
        has.set(true);
        open.set(false);
    };
    let forget = move |_| {
        apply(epoch, None);
        has.set(false);
        open.set(false);
    };
    view! {
        <div class="token">
            <button
                type="button"
                class="token-toggle"
                class:set=move || has.get()
                data-testid="hub-token-toggle"
                aria-expanded=move || open.get().to_string()
                title="An access token for gated or private Hugging Face datasets"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {move || if has.get() { "Hub token ✓" } else { "Hub token" }}
            </button>
            <Show when=move || open.get()>
                <form class="token-form" on:submit=on_submit data-testid="hub-token-form">
                    <label>
                        <span>"Hugging Face access token"</span>
                        <input
                            type="password"
                            name="hub-token"
                            autocomplete="off"
                            spellcheck="false"
                            placeholder=move || if has.get() { "a token is in use; type another to replace it" } else { "hf_…" }
                            data-testid="hub-token"
                            node_ref=input
                            prop:value=move || draft.get()
                            on:input=move |ev| draft.set(event_target_value(&ev))
                        />
                    </label>
                    <div class="token-actions">
                        <button type="submit" disabled=move || Token::new(&draft.get()).is_none()>"Use it"</button>
                        <button type="button" on:click=forget disabled=move || !has.get()>"Forget"</button>
                    </div>
                    <p class="token-note">
                        "For gated or private datasets (a token with read access is enough). Kept in this tab only, sent only to the Hub, never put in links."
                    </p>
                </form>
            </Show>
        </div>
    }
}
