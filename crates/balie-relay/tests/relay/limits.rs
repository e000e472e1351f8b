//! Issue 12: what one address can open is bounded. Webhook calls per second per address,
//! WebSockets at once per room, per address and in all; a place is given back when its
//! socket closes. Over real TCP, so the peer address is the test's own.

use super::helpers::*;
use super::ws::{Ws, connect};
use balie_relay::limits::{HOOKS_BURST, SocketLimits};

fn citizen_ws(relay: &TestRelay, join_url: &str) -> String {
    let token = join_url.rsplit('/').next().unwrap();
    format!("{}/ws/citizen/{token}", relay.ws_url())
}

/// Before: nothing limited how often one address could call a hook.
#[tokio::test]
async fn one_address_flooding_a_hook_gets_429_with_retry_after() {
    let relay = spawn_app().await;
    let url = format!("{}/hooks/mollie", relay.url);
    let mut ok = 0;
    let mut refused = 0;
    let mut retry_after = None;
    for _ in 0..HOOKS_BURST + 40 {
        let answer = relay
            .client
            .post(&url)
            .form(&[("id", "tr_WDqYK6vllg")])
            .send()
            .await
            .unwrap();
        match answer.status().as_u16() {
            200 => ok += 1,
            429 => {
                refused += 1;
                retry_after = answer.headers().get("retry-after").cloned();
            }
            other => panic!("{other}"),
        }
    }
    assert!(ok >= HOOKS_BURST, "the burst is served: {ok}");
    assert!(
        refused >= 20,
        "the rest is refused: {refused} (served {ok})"
    );
    assert_eq!(retry_after.unwrap(), "1");
}

/// Before: one join link could hold any number of sockets open.
#[tokio::test]
async fn a_room_holds_a_few_sockets_and_gives_a_place_back_when_one_closes() {
    let relay = spawn_with(|c| {
        c.sockets = SocketLimits {
            per_address: 100,
            per_room: 3,
            in_all: 100,
        }
    })
    .await;
    let join = relay.join_url("{}").await;
    let mut open: Vec<Ws> = Vec::new();
    for _ in 0..3 {
        open.push(connect(&citizen_ws(&relay, &join), None).await.unwrap());
    }
    assert_eq!(
        connect(&citizen_ws(&relay, &join), None).await.err(),
        Some(429)
    );
    // Another room is not held up.
    let other = relay.join_url("{}").await;
    let _other = connect(&citizen_ws(&relay, &other), None).await.unwrap();
    open.pop().unwrap().close().await;
    let mut again = None;
    for _ in 0..50 {
        // The relay sees the close and gives the place back.
        if let Ok(ws) = connect(&citizen_ws(&relay, &join), None).await {
            again = Some(ws);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(again.is_some(), "a closed socket gives its place back");
}

/// One address across rooms, and the relay in all.
#[tokio::test]
async fn one_address_and_the_relay_have_a_ceiling() {
    let relay = spawn_with(|c| {
        c.sockets = SocketLimits {
            per_address: 4,
            per_room: 100,
            in_all: 100,
        }
    })
    .await;
    let mut open = Vec::new();
    for _ in 0..4 {
        let join = relay.join_url("{}").await;
        open.push(connect(&citizen_ws(&relay, &join), None).await.unwrap());
    }
    let join = relay.join_url("{}").await;
    assert_eq!(
        connect(&citizen_ws(&relay, &join), None).await.err(),
        Some(429)
    );
    // The clerk's hint socket from the same address is held up too.
    assert_eq!(
        connect(&format!("{}/ws/hints", relay.ws_url()), Some(&relay.token))
            .await
            .err(),
        Some(429)
    );

    let full = spawn_with(|c| {
        c.sockets = SocketLimits {
            per_address: 100,
            per_room: 100,
            in_all: 2,
        }
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let join = full.join_url("{}").await;
        held.push(connect(&citizen_ws(&full, &join), None).await.unwrap());
    }
    let join = full.join_url("{}").await;
    assert_eq!(
        connect(&citizen_ws(&full, &join), None).await.err(),
        Some(503)
    );
}

/// Issue 12: the database lock was taken on the async worker. A query waiting on a
/// locked file (up to the busy timeout) held up everything that worker served; with one
/// worker, the whole relay. Now the wait happens off the worker.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_request_waiting_for_the_database_holds_up_nothing_else() {
    let relay = spawn_app().await;
    let path = relay.dir.path().join("relay.sqlite3");
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    // Another program holds the database for a second and a half.
    let holder = std::thread::spawn(move || {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("BEGIN EXCLUSIVE").unwrap();
        locked_tx.send(()).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1_500));
        conn.execute_batch("COMMIT").unwrap();
    });
    locked_rx.recv().unwrap();
    let waiting = {
        let client = relay.client.clone();
        let url = format!("{}/api/rooms", relay.url);
        let token = relay.token.clone();
        tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap()
                .status()
        })
    };
    // Let the room request reach the database and wait there. (A thread's sleep: the
    // runtime's timers are driven by its one worker, the very thing under test.)
    std::thread::sleep(std::time::Duration::from_millis(300));
    let health = relay
        .client
        .get(format!("{}/healthz", relay.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert!(
        !waiting.is_finished(),
        "healthz answered only after the room request's wait for the database"
    );
    assert_eq!(
        waiting.await.unwrap(),
        201,
        "the room is made once the lock is gone"
    );
    holder.join().unwrap();
}

/// Issue 12: without hyper's timer the relay waited for a request's headers for ever, so
/// a client dripping a byte now and then held its connection as long as it liked.
#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_let_go() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let relay = spawn_with(|c| c.headers_within = std::time::Duration::from_millis(500)).await;
    let address = relay.url.trim_start_matches("http://").to_owned();
    let mut slow = tokio::net::TcpStream::connect(&address).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: balie\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let closed = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        slow.read_to_end(&mut answer),
    )
    .await;
    assert!(
        matches!(closed, Ok(Ok(_))),
        "the relay closes the connection: {closed:?}"
    );
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
    // Nor is one that connects and says nothing, or only the start of HTTP/2's preface.
    for start in [&b""[..], &b"PRI * HTTP"[..]] {
        let mut quiet = tokio::net::TcpStream::connect(&address).await.unwrap();
        quiet.write_all(start).await.unwrap();
        let mut answer = Vec::new();
        let closed = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            quiet.read_to_end(&mut answer),
        )
        .await;
        // Closed (a reset when the relay leaves bytes unread), not left hanging.
        assert!(
            matches!(&closed, Ok(Ok(_)))
                || matches!(&closed, Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionReset),
            "the relay closes a connection that starts with {start:?}: {closed:?}"
        );
    }
    // A client that finishes its headers is served as ever.
    let ok = relay
        .client
        .get(format!("{}/healthz", relay.url))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

/// Review of issue 12: the room's cap counted both sides together, so whoever held a
/// join link could fill it and shut the clerk out of their own room.
#[tokio::test]
async fn a_full_citizen_side_does_not_shut_the_clerk_out() {
    let relay = spawn_with(|c| {
        c.sockets = SocketLimits {
            per_address: 100,
            per_room: 2,
            in_all: 100,
        }
    })
    .await;
    let room: balie_protocol::CreateRoomResponse =
        relay.create_room("{}").await.json().await.unwrap();
    let _a = connect(&citizen_ws(&relay, &room.join_url), None)
        .await
        .unwrap();
    let _b = connect(&citizen_ws(&relay, &room.join_url), None)
        .await
        .unwrap();
    assert_eq!(
        connect(&citizen_ws(&relay, &room.join_url), None)
            .await
            .err(),
        Some(429)
    );
    let clerk = connect(
        &format!("{}/ws/clerk/{}", relay.ws_url(), room.room_id),
        Some(&relay.token),
    )
    .await;
    assert!(clerk.is_ok(), "the clerk still gets in: {:?}", clerk.err());
}

/// Review of issue 12: behind a proxy every request came from the proxy, so one client
/// flooding a hook used up everyone's allowance. From a trusted proxy the client is the
/// address it forwards.
#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_counts_apart() {
    let relay = spawn_with(|c| c.trusted_proxies = vec![[127, 0, 0, 1].into()]).await;
    let url = format!("{}/hooks/mollie", relay.url);
    let hook = |client: &'static str| {
        relay
            .client
            .post(&url)
            .header("x-forwarded-for", client)
            .form(&[("id", "tr_WDqYK6vllg")])
            .send()
    };
    let mut refused = 0;
    for _ in 0..HOOKS_BURST + 40 {
        if hook("192.0.2.1").await.unwrap().status() == 429 {
            refused += 1;
        }
    }
    assert!(refused >= 20, "the flooding client is held back: {refused}");
    assert_eq!(
        hook("192.0.2.2").await.unwrap().status(),
        200,
        "another client behind the same proxy is not"
    );
}
