// Package driver holds what govirt's hypervisor drivers share: the event
// broadcaster that fans lifecycle events out to subscribers without letting
// a slow one stall the driver, helpers for the URIs drivers claim, and the
// constructors of the errors libvirt's drivers raise in the same words.
//
// The driver interfaces themselves live in package virt (driver.go); the
// conformance suite every driver must pass is in driver/drivertest.
package driver
