/*
 * status.c - status names and messages, generated from MLB_STATUS_MAP.
 */
#include "config.h"

#include "loader.h"

MLB_API const char *mlb_status_name(mlb_status status) {
    switch (status) {
#define MLB_STATUS_NAME_CASE(name, value, message)                                                 \
    case value:                                                                                    \
        return "MLB_" #name;
        MLB_STATUS_MAP(MLB_STATUS_NAME_CASE)
#undef MLB_STATUS_NAME_CASE
    default:
        return "MLB_UNKNOWN_STATUS";
    }
}

MLB_API const char *mlb_status_message(mlb_status status) {
    switch (status) {
#define MLB_STATUS_MESSAGE_CASE(name, value, message)                                              \
    case value:                                                                                    \
        return message;
        MLB_STATUS_MAP(MLB_STATUS_MESSAGE_CASE)
#undef MLB_STATUS_MESSAGE_CASE
    default:
        return "unknown status";
    }
}
