"""The model runtime's build: the AMX variant left out, the variant this CPU loads built with the
baseline, the CPU variant chosen at run time."""

import pytest

from assistant.backends import runtime

CMAKE = """
        ggml_add_cpu_backend_variant(icelake            SSE42 AVX F16C FMA AVX2 BMI2 AVX512)
        if (NOT MSVC)
            ggml_add_cpu_backend_variant(sapphirerapids SSE42 AVX AVX512 AMX_TILE AMX_INT8)
        endif()
"""


def test_the_amx_variant_is_taken_out_of_the_build(tmp_path):
    path = tmp_path / "ggml" / "src" / "CMakeLists.txt"
    path.parent.mkdir(parents=True)
    path.write_text(CMAKE)
    runtime._leave_out(tmp_path, ("sapphirerapids",))
    text = path.read_text()
    assert "sapphirerapids" not in text and "icelake" in text and "endif()" in text


def test_a_source_tree_without_the_expected_line_stops_the_build(tmp_path):
    path = tmp_path / "ggml" / "src" / "CMakeLists.txt"
    path.parent.mkdir(parents=True)
    path.write_text("ggml_add_cpu_backend_variant(x64)\n")
    with pytest.raises(RuntimeError, match="not where the build expects it"):
        runtime._leave_out(tmp_path, ("sapphirerapids",))


def test_variants_are_read_from_the_library_names(tmp_path):
    for name in ("libggml-cpu-x64.so", "libggml-cpu-zen4.so", "libggml-base.so"):
        (tmp_path / name).write_bytes(b"")
    assert runtime.variants(tmp_path) == ["x64", "zen4"]


@pytest.mark.skipif(runtime.read_info() is None, reason="the runtime is not built (make setup)")
def test_the_installed_runtime_has_no_amx_code_and_loads_a_variant_this_cpu_runs():
    bin_dir = runtime.default_prefix() / "bin"
    found = runtime.variants(bin_dir)
    assert found and "sapphirerapids" not in found
    for lib in bin_dir.glob("libggml-cpu-*.so"):
        # the AMX kernels register an extra buffer type; no library may hold it
        assert b"amx17extra_buffer_type" not in lib.read_bytes(), lib.name
    assert runtime.chosen_variant(bin_dir) in found


SOURCE_CMAKE = """
function(ggml_add_cpu_backend_variant tag_name)
    if (GGML_SYSTEM_ARCH STREQUAL "x86")
        foreach (feat NATIVE SSE42 AVX)
            set(GGML_${feat} OFF)
        endforeach()
    endif()
endfunction()
if (GGML_CPU_ALL_VARIANTS)
    if (GGML_SYSTEM_ARCH STREQUAL "x86")
        ggml_add_cpu_backend_variant(x64)
        ggml_add_cpu_backend_variant(sse42              SSE42)
        ggml_add_cpu_backend_variant(haswell            SSE42 AVX F16C FMA AVX2 BMI2)
        ggml_add_cpu_backend_variant(skylakex           SSE42 AVX F16C FMA AVX2 BMI2 AVX512)
        ggml_add_cpu_backend_variant(cascadelake SSE42 AVX F16C FMA AVX2 BMI2 AVX512 AVX512_VNNI)
        ggml_add_cpu_backend_variant(alderlake          SSE42 AVX F16C FMA AVX2 BMI2 AVX_VNNI)
        if (NOT MSVC)
            ggml_add_cpu_backend_variant(sapphirerapids SSE42 AVX F16C FMA AVX2 BMI2 AVX512
                AVX512_VNNI AMX_TILE AMX_INT8)
        endif()
    elseif(GGML_SYSTEM_ARCH STREQUAL "ARM")
        ggml_add_cpu_backend_variant(armv8.0_1)
    endif()
endif()
"""
AVX2 = frozenset("fpu sse4_2 avx f16c fma avx2 bmi2".split())
AVX512 = AVX2 | {"avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw", "avx512_vnni"}


def test_the_x86_variants_are_read_with_their_features_and_no_other_architecture():
    declared = runtime.x86_variants(SOURCE_CMAKE)
    assert list(declared) == [
        "x64",
        "sse42",
        "haswell",
        "skylakex",
        "cascadelake",
        "alderlake",
        "sapphirerapids",
    ]
    assert declared["x64"] == () and declared["skylakex"][-1] == "AVX512"


def test_the_build_compiles_the_baseline_and_the_variant_the_loader_would_choose():
    declared = runtime.x86_variants(SOURCE_CMAKE)
    assert runtime.plan_variants(declared, AVX2).build == ["x64", "haswell"]
    # an AMX machine gets its best AVX-512 level, never the AMX variant
    amx = AVX512 | {"amx_tile", "amx_int8"}
    plan = runtime.plan_variants(declared, amx)
    assert plan.build == ["x64", "cascadelake"] and "sapphirerapids" in plan.left_out
    # a CPU with none of the levels still gets the baseline
    assert runtime.plan_variants(declared, frozenset({"fpu"})).build == ["x64"]


def test_an_unknown_cpu_gets_every_variant_but_amx():
    plan = runtime.plan_variants(runtime.x86_variants(SOURCE_CMAKE), None)
    assert "sapphirerapids" not in plan.build and len(plan.build) == 6
    assert plan.left_out == ["sapphirerapids"]


def test_the_cpu_flags_are_read_from_cpuinfo(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu sse4_2 avx2\n\nprocessor\t: 1\nflags\t: fpu\n")
    assert runtime.cpu_flags(info) == frozenset({"fpu", "sse4_2", "avx2"})
    assert runtime.cpu_flags(tmp_path / "missing") is None


def test_the_plan_takes_out_of_the_source_exactly_the_variants_left_out(tmp_path):
    path = tmp_path / "ggml" / "src" / "CMakeLists.txt"
    path.parent.mkdir(parents=True)
    path.write_text(SOURCE_CMAKE)
    plan = runtime.plan_variants(runtime.x86_variants(SOURCE_CMAKE), AVX2)
    runtime._leave_out(tmp_path, tuple(plan.left_out))
    assert list(runtime.x86_variants(path.read_text())) == ["x64", "haswell"]
    assert "armv8.0_1" in path.read_text()
