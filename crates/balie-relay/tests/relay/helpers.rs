use balie_relay::{Clock, Relay, RelayConfig};
use secrecy::ExposeSecret as _;
use tokio::sync::oneshot;

/// A relay on a free loopback port with a temp database, a hand-moved clock and one
/// clerk ("tester").
pub struct TestRelay {
    pub url: String,
    pub clock: Clock,
    pub token: String,
    pub dir: std::sync::Arc<tempfile::TempDir>,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// Unix time the tests start their clocks at (2026-11-29T00:00:00Z).
pub const T0: i64 = 1_795_910_400;

pub fn install_crypto() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

pub async fn spawn_app() -> TestRelay {
    spawn_with(|_| {}).await
}

pub async fn spawn_with(adjust: impl FnOnce(&mut RelayConfig)) -> TestRelay {
    spawn_with_clock(adjust, Clock::manual(T0)).await
}

/// As [`spawn_with`], on `clock` (the system's, to talk to a server that has its own).
pub async fn spawn_with_clock(adjust: impl FnOnce(&mut RelayConfig), clock: Clock) -> TestRelay {
    install_crypto();
    let dir = tempfile::tempdir().unwrap();
    let mut config = RelayConfig::loopback(dir.path().to_path_buf());
    config.municipality = "Gemeente Zonnedorp".into();
    adjust(&mut config);
    let token = {
        let db = balie_store::open(&config.database_path(), &balie_store::relay::SCHEMA).unwrap();
        let token = balie_relay::add_clerk(&db, "tester").unwrap();
        token.secret().expose_secret().to_string()
    };
    serve(config, clock, token, std::sync::Arc::new(dir)).await
}

/// Serves `config` with `clock`; `token` is its clerk's, `dir` holds its data.
async fn serve(
    config: RelayConfig,
    clock: Clock,
    token: String,
    dir: std::sync::Arc<tempfile::TempDir>,
) -> TestRelay {
    let relay = Relay::bind_with_clock(config, clock.clone()).await.unwrap();
    let url = relay.public_url().to_string();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        relay
            .serve(async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
    TestRelay {
        url,
        clock,
        token,
        dir,
        client: reqwest::Client::new(),
        stop: Some(stop),
        task: Some(task),
    }
}

impl TestRelay {
    /// Another relay on this one's database and clock, with nothing in memory: this relay
    /// as it is after a restart (an update, a crash). The first one keeps running.
    pub async fn restarted(&self) -> TestRelay {
        let config = RelayConfig::loopback(self.dir.path().to_path_buf());
        serve(
            config,
            self.clock.clone(),
            self.token.clone(),
            self.dir.clone(),
        )
        .await
    }

    pub async fn create_room(&self, body: &str) -> reqwest::Response {
        self.post_rooms(Some(&self.token), true, body).await
    }

    /// `POST /api/rooms` with the given bearer token (or none) and, when `json`, the JSON
    /// content type.
    pub async fn post_rooms(
        &self,
        bearer: Option<&str>,
        json: bool,
        body: &str,
    ) -> reqwest::Response {
        let mut request = self.client.post(format!("{}/api/rooms", self.url));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        if json {
            request = request.header("content-type", "application/json");
        }
        request.body(body.to_string()).send().await.unwrap()
    }

    pub async fn join_url(&self, body: &str) -> String {
        let response = self.create_room(body).await;
        assert_eq!(response.status(), 201);
        let room: balie_protocol::CreateRoomResponse = response.json().await.unwrap();
        room.join_url
    }

    /// `GET /healthz`.
    pub async fn health(&self) -> balie_protocol::Health {
        self.client
            .get(format!("{}/healthz", self.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The relay's address with `ws://`.
    pub fn ws_url(&self) -> String {
        self.url.replacen("http://", "ws://", 1)
    }

    /// Adds another clerk and returns their token.
    pub fn add_clerk(&self, name: &str) -> String {
        let db = balie_store::open(
            &self.dir.path().join("relay.sqlite3"),
            &balie_store::relay::SCHEMA,
        )
        .unwrap();
        let token = balie_relay::add_clerk(&db, name).unwrap();
        token.secret().expose_secret().to_string()
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
    }
}

pub async fn error_body(response: reqwest::Response) -> balie_protocol::ApiError {
    let text = response.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not our error shape ({e}): {text}"))
}
