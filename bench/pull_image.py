"""bench/pull's image: an OCI layout of MB megabytes in 5 gzip layers (python3 pull_image.py DIR MB).

Each layer is a tar of 1 MB files, every other one random bytes (stored by deflate as they are)
and base64 text of random bytes (inflated for real, ~75% of its size), so that neither the
network nor decompression is made artificially cheap. Seeded: the same image every time.
"""
import base64
import gzip
import hashlib
import io
import json
import os
import random
import sys
import tarfile

LAYERS = 5


def blob(root, data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(root, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return "sha256:" + digest


def layer(rng, index, files):
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w", format=tarfile.PAX_FORMAT) as t:
        for n in range(files):
            raw = rng.randbytes(1 << 20)
            content = raw if n % 2 == 0 else base64.b64encode(raw[: 3 << 18])
            info = tarfile.TarInfo(f"data/layer{index}/file{n:03}")
            info.size, info.mode, info.mtime = len(content), 0o644, 0
            t.addfile(info, io.BytesIO(content))
    return tar.getvalue()


def main(root, mb):
    os.makedirs(os.path.join(root, "blobs", "sha256"))
    rng = random.Random(20)
    descriptors, diff_ids = [], []
    for i in range(LAYERS):
        tar = layer(rng, i, max(1, mb // LAYERS))
        diff_ids.append("sha256:" + hashlib.sha256(tar).hexdigest())
        compressed = gzip.compress(tar, compresslevel=6, mtime=0)
        descriptors.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                            "digest": blob(root, compressed), "size": len(compressed)})
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/true"]},
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": blob(root, config), "size": len(config)},
                           "layers": descriptors}).encode()
    index = {"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": blob(root, manifest),
        "size": len(manifest), "annotations": {"org.opencontainers.image.ref.name": "bench"}}]}
    with open(os.path.join(root, "index.json"), "w") as f:
        json.dump(index, f)
    with open(os.path.join(root, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
