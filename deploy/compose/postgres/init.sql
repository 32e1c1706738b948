-- One PostgreSQL, one database per component (run once, on an empty data folder).
CREATE DATABASE service;
CREATE DATABASE factory;
CREATE DATABASE ops;
