//! moto's server (a local AWS), for the tests that run scripts and programs against it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::tool;

/// A moto server on a free local port, stopped when dropped (even when the test panics).
pub struct Moto {
    child: Child,
    /// Its endpoint, `http://127.0.0.1:<port>`.
    pub url: String,
    /// What it printed.
    pub log: PathBuf,
}

impl Moto {
    /// Starts it, writing its output into `dir`; returns once it answers HTTP.
    pub fn start(dir: &Path) -> Moto {
        let python = tool("PIPEGEN_AWS").parent().unwrap().join("python");
        assert!(python.exists(), "{} is missing", python.display());
        // A port the system just handed out, so free (moto_server cannot report the port it
        // picked itself).
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = dir.join("moto.log");
        let child = Command::new(&python)
            .args([
                "-c",
                MOTO_SERVER,
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::fs::File::create(dir.join("moto.err")).unwrap())
            .spawn()
            .unwrap();
        let moto = Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        let address = ("127.0.0.1", port);
        loop {
            if let Ok(mut stream) = TcpStream::connect(address) {
                // Answers HTTP, not merely accepts: ask for moto's own API.
                stream
                    .set_read_timeout(Some(Duration::from_secs(5)))
                    .unwrap();
                let request = "GET /moto-api/data.json HTTP/1.0\r\nHost: localhost\r\n\r\n";
                if stream.write_all(request.as_bytes()).is_ok() {
                    let mut answer = [0u8; 12];
                    if stream.read_exact(&mut answer).is_ok() && answer.starts_with(b"HTTP/1") {
                        return moto;
                    }
                }
            }
            assert!(
                Instant::now() < deadline,
                "moto did not answer on {} within 30 s",
                moto.url
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// moto's server, with two mends of moto 5.2.5 where it differs from CloudFormation:
/// - it hands an `AWS::KMS::Key`'s `Tags` as CloudFormation writes them (`Key`/`Value`, the
///   resource schema's shape) to `create_key`, which reads the KMS API's `TagKey`/`TagValue`
///   and fails the stack with a KeyError;
/// - a stack created or updated through a change set (what `aws cloudformation deploy` does)
///   keeps the outputs of its first, empty template: `Outputs` is null.
const MOTO_SERVER: &str = r#"
import sys
from moto.cloudformation import models as cloudformation
from moto.kms import models as kms
create = kms.Key.create_from_cloudformation_json.__func__
def create_with_api_tags(cls, name, template, account_id, region_name, **kwargs):
    properties = template.get("Properties", {})
    properties["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in properties.get("Tags", [])]
    return create(cls, name, template, account_id, region_name, **kwargs)
kms.Key.create_from_cloudformation_json = classmethod(create_with_api_tags)
apply = cloudformation.ChangeSet.apply
def apply_with_outputs(self):
    apply(self)
    self.stack.template_dict = self.template_dict
    self.stack.output_map = self.stack._create_output_map()
cloudformation.ChangeSet.apply = apply_with_outputs
from moto.server import main
sys.argv[0] = "moto_server"
main(sys.argv[1:])
"#;
