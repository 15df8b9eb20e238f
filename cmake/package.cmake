# The Debian package (`cmake --build --preset release --target package`; docs/operations.md): the binary, the
# systemd unit, the settings as a conffile, the man page and the docs. Its Depends are read off the binary's
# shared libraries by dpkg-shlibdeps, so `apt install ./tribune_*.deb` pulls exactly what it links.
include(GNUInstallDirs)

install(TARGETS tribune RUNTIME DESTINATION bin)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/tribune.toml DESTINATION /etc/tribune
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/tribune.service DESTINATION /lib/systemd/system)
add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/tribune.1.gz
  COMMAND gzip -9 -n -c ${CMAKE_SOURCE_DIR}/docs/tribune.1 > ${CMAKE_BINARY_DIR}/tribune.1.gz
  DEPENDS ${CMAKE_SOURCE_DIR}/docs/tribune.1
  VERBATIM)
add_custom_target(man_page ALL DEPENDS ${CMAKE_BINARY_DIR}/tribune.1.gz)
install(FILES ${CMAKE_BINARY_DIR}/tribune.1.gz DESTINATION share/man/man1)
file(GLOB TRIBUNE_DOCS ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${TRIBUNE_DOCS} ${CMAKE_SOURCE_DIR}/deploy/nginx.conf
              ${CMAKE_SOURCE_DIR}/deploy/grafana-dashboard.json
        DESTINATION share/doc/tribune)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tribune)
set(CPACK_PACKAGE_VENDOR "Tribune")
set(CPACK_PACKAGE_CONTACT "Tribune maintainers <maintainers@tribune.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "publication server: articles, reader accounts, comments and contributions")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "A newspaper's opinion page in one binary: articles with datelines, feeds and sitemaps; reader\n accounts; threaded comments with live updates and moderation; reader contributions through Stripe.\n SQLite by default, PostgreSQL for several nodes. Runs as the systemd service tribune.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION web)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql, nginx")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/deploy/debian/conffiles ${CMAKE_SOURCE_DIR}/deploy/debian/postinst
    ${CMAKE_SOURCE_DIR}/deploy/debian/prerm ${CMAKE_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
