# sup_add_version_info(target "description"): gives a Windows executable its VERSIONINFO resource
# (cmake/version.rc.in) with SUP_VERSION.
function(sup_add_version_info target description)
  string(REPLACE "." "," SUP_VERSION_COMMAS "${SUP_VERSION}")
  set(SUP_FILE_NAME "${target}")
  set(SUP_FILE_DESCRIPTION "${description}")
  set(rc "${CMAKE_CURRENT_BINARY_DIR}/${target}_version.rc")
  configure_file("${PROJECT_SOURCE_DIR}/cmake/version.rc.in" "${rc}" @ONLY)
  target_sources(${target} PRIVATE "${rc}")
endfunction()
