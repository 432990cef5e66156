# Writes a C++ source that holds each CSV file as a string_view, so the
# binary carries its own copy of the code tables it validates against.
# Usage: cmake -DOUT=<file.cc> -DINPUTS="a.csv|b.csv" -P embed.cmake
string(REPLACE "|" ";" INPUTS "${INPUTS}")
file(WRITE ${OUT} "// Generated from services/common/reference/*.csv. Do not edit.\n")
file(APPEND ${OUT} "#include <absl/strings/string_view.h>\nnamespace jobtrack::reference_csv {\n")
foreach(input ${INPUTS})
  get_filename_component(stem ${input} NAME_WE)
  file(READ ${input} content)
  file(APPEND ${OUT} "extern const absl::string_view k_${stem};\n")
  file(APPEND ${OUT} "const absl::string_view k_${stem} = R\"csv(${content})csv\";\n")
endforeach()
file(APPEND ${OUT} "}  // namespace jobtrack::reference_csv\n")
