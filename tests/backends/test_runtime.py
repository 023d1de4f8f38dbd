"""The model runtime's build: the AMX variant left out, the CPU variant chosen at run time."""

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
