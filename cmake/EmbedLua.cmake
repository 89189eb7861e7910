# Compiles every lua/*.lua into the binary: one generated .cpp holding the sources as raw strings and a
# table {name, body}. The files stay the source of truth (redis-cli --eval works on them unchanged).
function(lh_embed_lua out_var lua_dir)
  file(GLOB lua_files CONFIGURE_DEPENDS ${lua_dir}/*.lua)
  set(gen_dir ${CMAKE_BINARY_DIR}/generated)
  set(out ${gen_dir}/embedded_lua.cpp)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DLUA_DIR=${lua_dir} -P ${CMAKE_SOURCE_DIR}/cmake/GenLua.cmake
    DEPENDS ${lua_files} ${CMAKE_SOURCE_DIR}/cmake/GenLua.cmake
    COMMENT "Embedding lua/*.lua")
  set(${out_var} ${out} PARENT_SCOPE)
endfunction()
