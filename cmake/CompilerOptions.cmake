# Warning and sanitizer settings as an INTERFACE target: every ragkernel target links it,
# nothing global is changed, so a parent project's flags stay its own.
add_library(ragkernel_options INTERFACE)
target_compile_features(ragkernel_options INTERFACE cxx_std_20)

if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(ragkernel_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                                     -Wno-sign-conversion)
  if(RAGKERNEL_WERROR)
    target_compile_options(ragkernel_options INTERFACE -Werror)
  endif()
  if(RAGKERNEL_SANITIZE)
    target_compile_options(ragkernel_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                       -fno-sanitize-recover=undefined)
    target_link_options(ragkernel_options INTERFACE -fsanitize=address,undefined)
  endif()
endif()

# Flags for the per-ISA kernel translation units. Only those files get them; everything else
# is compiled for the baseline so the library runs on any x86-64 (or ARMv8) CPU.
set(RAGKERNEL_ISA_FLAGS_sse4_2 -msse4.2 -mpopcnt)
set(RAGKERNEL_ISA_FLAGS_avx2 -mavx2 -mfma -mpopcnt -mf16c)
# GCC 12's AVX-512 reduction intrinsics start from _mm512_undefined_*, which its own
# -Wuninitialized flags; the values are never read.
set(RAGKERNEL_ISA_FLAGS_avx512 -mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx512vnni -mavx2 -mfma -mpopcnt -mf16c
                               -Wno-uninitialized -Wno-maybe-uninitialized)
set(RAGKERNEL_ISA_FLAGS_neon "")
