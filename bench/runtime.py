"""python -m bench.runtime: the model runtime `make setup` builds, beside the others, in one run.

Every runtime serves the same model (Qwen2.5-Coder-1.5B-Instruct Q4_K_M) with 2 threads and
reads the same prompt of about 700 tokens, with the prompt cache off; each figure is the median
of three runs, as the server reports it (`timings.prompt_per_second`, `predicted_per_second`).

- ours: the setup's build, CPU code chosen at run time (GGML_BACKEND_DL; the variant this CPU
  loads and the x86-64 baseline, or every x86 variant but the AMX one after `build
  --all-variants`); which variant the server loaded is read from its memory map;
- ours, no AVX-512: the same build with only the variants up to AVX2 beside it, as on a CPU
  without AVX-512 (the loader then picks what such a CPU would get); measured only when the
  build has the AVX2 variant (`haswell`), that is on a CPU without AVX-512 or after
  `python -m assistant.backends build --all-variants --force`;
- native: a build for this machine's CPU (-march=native) with AMX off, built here: the fastest
  build that runs on this machine, the yardstick of the 0.8x target;
- AVX2 build: explicit AVX2 flags (no AVX-512, AMX off), built here: the yardstick for the
  no-AVX-512 case;
- xllamacpp: the prebuilt wheel (llama.cpp's server as a Python extension), when installed
  (`pip install -e '.[bench]'`).

Writes bench/runtime.json and the runtime section of bench/RESULTS.md. About 15-20 minutes on
2 cores, most of it the two comparison builds; run it alone (other model processes on the same
cores slow every figure).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).parent
PROJECT = HERE.parent
AVX512_UP = ("skylakex", "cannonlake", "cascadelake", "icelake", "cooperlake", "zen4")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def prompt() -> str:
    """About 700 tokens of the shipped corpus, then a question."""
    text = "\n\n".join(
        (PROJECT / "corpus" / f).read_text()[:1500]
        for f in ("focus-areas.md", "lumc-nagasaki-collaboration.md")
    )
    return text + "\n\nQuestion: which areas does the collaboration cover? Answer in one sentence."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_health(url: str, proc: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the server did not load in time")


def measure(base: str, runs: int = 3) -> dict:
    text = prompt()
    reads, gens, tokens = [], [], []
    for i in range(runs):
        body = json.dumps(
            {
                "messages": [{"role": "user", "content": f"Run {i}.\n{text}"}],
                "max_tokens": 64,
                "temperature": 0,
                "cache_prompt": False,
                "ignore_eos": True,
            }
        ).encode()
        req = urllib.request.Request(
            base + "/v1/chat/completions", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=600) as r:
            timings = json.load(r)["timings"]
        reads.append(timings["prompt_per_second"])
        gens.append(timings["predicted_per_second"])
        tokens.append(timings["prompt_n"])
    return {
        "prompt_tokens": int(statistics.median(tokens)),
        "prompt_tok_s": round(statistics.median(reads), 1),
        "generation_tok_s": round(statistics.median(gens), 1),
    }


def run_server(binary: Path, model: Path, cwd: Path) -> dict:
    port = free_port()
    cmd = [
        str(binary),
        "-m",
        str(model),
        "--port",
        str(port),
        "-t",
        "2",
        "-tb",
        "2",
        "-np",
        "1",
        "-c",
        "2048",
        "--no-webui",
    ]
    with open(cwd / "server.log", "wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_health(base, proc)
        maps = Path(f"/proc/{proc.pid}/maps").read_text()
        found = sorted(set(re.findall(r"libggml-cpu-([\w.-]+?)\.so", maps)))
        result = measure(base)
        result["variant"] = ", ".join(found) or "(built in)"
        return result
    except RuntimeError as exc:
        return {"error": str(exc), "crashed": proc.poll() is not None and proc.returncode < 0}
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def run_xllamacpp(model: Path) -> dict:
    code = (
        "import sys, time, xllamacpp as x\n"
        "p = x.CommonParams(); p.model.path = sys.argv[1]; p.n_ctx = 2048; p.n_parallel = 1\n"
        "p.cpuparams.n_threads = 2; p.cpuparams_batch.n_threads = 2\n"
        "s = x.Server(p); print(s.listening_address, flush=True); time.sleep(3600)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(model)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip()
        if not line.startswith("http"):
            return {"error": "the xllamacpp server did not start"}
        result = measure(line)
        result["variant"] = "AVX2 (prebuilt)"
        return result
    finally:
        proc.kill()
        proc.wait()


def build(source_tree: Path, out: Path, flags: list[str]) -> float:
    """Builds llama-server with the given CPU flags; returns the seconds it took."""
    started = time.monotonic()
    build_dir = out / "build"
    base = [
        "-DCMAKE_BUILD_TYPE=Release",
        "-DLLAMA_BUILD_TESTS=OFF",
        "-DLLAMA_BUILD_EXAMPLES=OFF",
        "-DLLAMA_BUILD_SERVER=ON",
        "-DLLAMA_BUILD_APP=OFF",
        "-DLLAMA_USE_PREBUILT_UI=OFF",
        "-DLLAMA_OPENSSL=OFF",
        "-DBUILD_SHARED_LIBS=OFF",
    ]
    cmake = shutil.which("cmake", path=str(Path(sys.prefix) / "bin")) or "cmake"
    subprocess.run(
        [cmake, "-S", str(source_tree), "-B", str(build_dir), *base, *flags],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            cmake,
            "--build",
            str(build_dir),
            "-j",
            str(os.cpu_count() or 2),
            "--target",
            "llama-server",
        ],
        check=True,
        capture_output=True,
    )
    return round(time.monotonic() - started, 1)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.runtime")
    p.add_argument("--no-builds", action="store_true", help="skip the two comparison builds")
    args = p.parse_args(argv)
    from assistant.backends import runtime
    from assistant.backends.catalog import local_model_path
    from assistant.config import Settings

    model = local_model_path(Settings(llm="local"))
    ours = runtime.find_server()
    info = runtime.read_info()
    if ours is None or info is None:
        log("error: no runtime; run `make setup` first")
        return 1
    cpu = Path("/proc/cpuinfo").read_text()
    flags = set(re.search(r"^flags\s*:(.*)$", cpu, re.M).group(1).split())
    results: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpu": re.search(r"^model name\s*:(.*)$", cpu, re.M).group(1).strip(),
        "avx512": "avx512f" in flags,
        "amx": "amx_int8" in flags,
        "setup_build_s": info.seconds,
        "runtimes": {},
    }
    r = results["runtimes"]
    with tempfile.TemporaryDirectory(prefix="bench-runtime-") as tmp:
        work = Path(tmp)
        log("ours (CPU variants chosen at run time) ...")
        r["ours"] = run_server(ours, model, ours.parent)
        if "haswell" in info.variants:
            limited = work / "avx2-only"
            shutil.copytree(ours.parent, limited, symlinks=True)
            for v in AVX512_UP:
                (limited / f"libggml-cpu-{v}.so").unlink(missing_ok=True)
            log("ours with no variant above AVX2 (a CPU without AVX-512) ...")
            r["ours, no AVX-512"] = run_server(limited / runtime.SERVER, model, limited)
        else:
            log("ours with no variant above AVX2: skipped, the build has no AVX2 variant")
        try:
            import xllamacpp  # noqa: F401

            log("xllamacpp (prebuilt wheel) ...")
            r["xllamacpp wheel"] = run_xllamacpp(model)
        except ImportError:
            log("xllamacpp is not installed (pip install -e '.[bench]'); left out")
        if not args.no_builds:
            source = runtime._source(work, log)
            no_amx = "-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
            for name, cpu_flags in (
                (
                    "native build (AMX off)",
                    [
                        "-DGGML_NATIVE=ON",
                        f"-DCMAKE_C_FLAGS={no_amx}",
                        f"-DCMAKE_CXX_FLAGS={no_amx}",
                    ],
                ),
                (
                    "AVX2 build",
                    [
                        "-DGGML_NATIVE=OFF",
                        "-DGGML_AVX2=ON",
                        "-DGGML_FMA=ON",
                        "-DGGML_F16C=ON",
                        "-DGGML_BMI2=ON",
                    ],
                ),
            ):
                out = work / re.sub(r"\W+", "-", name)
                out.mkdir()
                log(f"building {name} ...")
                seconds = build(source, out, cpu_flags)
                bin_dir = out / "build" / "bin"
                r[name] = {
                    **run_server(bin_dir / runtime.SERVER, model, bin_dir),
                    "build_s": seconds,
                }
    fastest = max((v.get("prompt_tok_s", 0) for v in r.values()), default=0)
    results["fastest_prompt_tok_s"] = fastest
    (HERE / "runtime.json").write_text(json.dumps(results, indent=1) + "\n")
    from .report import write_results

    write_results()
    log(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
