# `cmake --install` puts the public headers, the static core library and a package config in
# place, so another project can `find_package(ragkernel CONFIG)` and link `ragkernel::core`.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Everything here is in the `development` component; the Python wheel installs only `python`.
install(TARGETS ragkernel_core EXPORT ragkernelTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY core/include/ragkernel DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT development)
install(EXPORT ragkernelTargets NAMESPACE ragkernel:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ragkernel
        COMPONENT development)

configure_package_config_file(cmake/ragkernelConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/ragkernelConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ragkernel)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/ragkernelConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/ragkernelConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/ragkernelConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ragkernel COMPONENT development)
